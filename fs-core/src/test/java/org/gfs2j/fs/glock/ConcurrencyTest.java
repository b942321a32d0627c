package org.gfs2j.fs.glock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Real threads and real workers (the schedule is up to the JVM, so these look for races rather
 * than prove an order): nodes contending for EX and SH holders; exclusion across nodes is
 * checked on every entry, and every DLM lock must be gone after shutdown.
 */
class ConcurrencyTest {
    @Test
    void exclusiveAcrossNodesUnderContention() throws Exception {
        FakeDlm dlm = new FakeDlm(32, new java.util.concurrent.CopyOnWriteArrayList<>() {
            @Override
            public boolean add(String s) {
                return true; // no log: too many events
            }
        });
        GlockConfig cfg = new GlockConfig(false, 100, true, 0, 0, 0, 0, 0); // no hold time: maximum ping-pong
        ExecutorGlockScheduler w1 = new ExecutorGlockScheduler("n1");
        ExecutorGlockScheduler w2 = new ExecutorGlockScheduler("n2");
        GlockManager m1 = new GlockManager(dlm.node(1), GlockOperationsTable.standard(LogFlusher.NONE,
                MetadataCache.NONE, PageCacheNotifier.NONE), w1, cfg);
        GlockManager m2 = new GlockManager(dlm.node(2), GlockOperationsTable.standard(LogFlusher.NONE,
                MetadataCache.NONE, PageCacheNotifier.NONE), w2, cfg);
        GlockName ino = GlockName.inode(0x80);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger readers = new AtomicInteger();
        AtomicInteger total = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        int perThread = 150;
        List<Thread> threads = new ArrayList<>();
        for (GlockManager m : List.of(m1, m2)) {
            for (int t = 0; t < 2; t++) {
                boolean writer = t == 0;
                threads.add(new Thread(() -> {
                    try {
                        for (int i = 0; i < perThread; i++) {
                            if (writer || i % 3 != 0) {
                                try (Holder h = m.acquire(ino, GlockState.EX)) {
                                    if (inside.incrementAndGet() != 1 || readers.get() != 0) {
                                        throw new AssertionError("two exclusive holders at once");
                                    }
                                    total.incrementAndGet();
                                    inside.decrementAndGet();
                                }
                            } else {
                                try (Holder h = m.acquire(ino, GlockState.SH)) {
                                    readers.incrementAndGet();
                                    if (inside.get() != 0) {
                                        throw new AssertionError("reader inside an exclusive section");
                                    }
                                    readers.decrementAndGet();
                                }
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join(60_000);
            assertTrue(!t.isAlive(), "deadlock:\n" + m1.dump() + m2.dump() + dlm.node(9).dump());
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertTrue(total.get() >= 2 * perThread);
        m1.close();
        m2.close();
        w1.close();
        w2.close();
        assertEquals(0, dlm.lockCount());
    }

    @Test
    void mixedFlagsForcedDemotesAndShrinksOnThreeNodes() throws Exception {
        FakeDlm dlm = new FakeDlm(32, new java.util.concurrent.CopyOnWriteArrayList<>() {
            @Override
            public boolean add(String s) {
                return true;
            }
        });
        GlockConfig cfg = new GlockConfig(false, 2, false, 1_000_000L, 100_000L, 1_000_000L, 500_000L, 250_000L);
        List<GlockManager> ms = new ArrayList<>();
        List<ExecutorGlockScheduler> ws = new ArrayList<>();
        for (int n = 1; n <= 3; n++) {
            ExecutorGlockScheduler w = new ExecutorGlockScheduler("n" + n);
            ws.add(w);
            ms.add(new GlockManager(dlm.node(n), GlockOperationsTable.standard(LogFlusher.NONE, MetadataCache.NONE,
                    PageCacheNotifier.NONE), w, cfg));
        }
        int nGlocks = 4;
        AtomicIntegerArray writers = new AtomicIntegerArray(nGlocks);
        AtomicIntegerArray readers = new AtomicIntegerArray(nGlocks);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger done = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        int seed = 20261124;
        for (int ti = 0; ti < 6; ti++) {
            GlockManager m = ms.get(ti % 3);
            Random rnd = new Random(seed + ti);
            threads.add(new Thread(() -> {
                try {
                    for (int i = 0; i < 300; i++) {
                        int k = rnd.nextInt(nGlocks);
                        GlockName name = GlockName.inode(0x100 + k);
                        int r = rnd.nextInt(10);
                        int flags = (r == 0 ? HolderFlags.TRY : 0) | (r == 1 ? HolderFlags.NOCACHE : 0)
                                | (r == 2 ? HolderFlags.TRY_1CB : 0);
                        boolean ex = rnd.nextBoolean();
                        if (r == 3) {
                            m.forceDemote(name, GlockState.UN);
                            continue;
                        }
                        if (r == 4) {
                            m.shrink(0);
                        }
                        Holder h;
                        try {
                            h = m.acquire(name, ex ? GlockState.EX : GlockState.SH, flags);
                        } catch (GlockTryFailedException e) {
                            continue;
                        }
                        try (h) {
                            if (ex) {
                                if (writers.incrementAndGet(k) != 1 || readers.get(k) != 0) {
                                    throw new AssertionError("exclusion broken on " + name);
                                }
                                Thread.yield();
                                writers.decrementAndGet(k);
                            } else {
                                readers.incrementAndGet(k);
                                if (writers.get(k) != 0) {
                                    throw new AssertionError("reader with writer on " + name);
                                }
                                Thread.yield();
                                readers.decrementAndGet(k);
                            }
                        }
                        done.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join(60_000);
            if (t.isAlive()) {
                StringBuilder b = new StringBuilder("deadlock seed " + seed + "\n");
                for (GlockManager m : ms) {
                    b.append(m.dump()).append("--\n");
                }
                throw new AssertionError(b.toString());
            }
        }
        if (failure.get() != null) {
            throw new AssertionError("seed " + seed, failure.get());
        }
        for (GlockManager m : ms) {
            m.close();
        }
        ws.forEach(ExecutorGlockScheduler::close);
        assertEquals(0, dlm.lockCount());
        assertTrue(done.get() > 0);
    }
}
