package org.gfs2j.fs.glock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Real threads and real workers: two nodes, two threads each, contending for one EX glock plus
 * shared readers. Mutual exclusion across nodes is checked on every entry.
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
        GlockConfig cfg = GlockConfig.cluster();
        cfg = new GlockConfig(false, 100, true, 0, 0, 0, 0, 0); // no hold time: maximum ping-pong
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
}
