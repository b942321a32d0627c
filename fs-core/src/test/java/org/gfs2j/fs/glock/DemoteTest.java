package org.gfs2j.fs.glock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.gfs2j.dlm.LockMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Blocking callbacks, forced demotes, and the sync-then-invalidate-then-convert order. */
class DemoteTest {
    private static final long MS = 1_000_000L;
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final FakeDlm dlm = new FakeDlm(32, log);
    private final TestNode n1 = new TestNode(dlm, 1, log, GlockConfig.cluster());
    private final TestNode n2 = new TestNode(dlm, 2, log, GlockConfig.cluster());
    private final GlockName ino = GlockName.inode(0x20);

    @AfterEach
    void close() {
        n1.close();
        n2.close();
    }

    /** Asserts that {@code events} occur in {@code log} in this order. */
    private void assertInOrder(String... events) {
        int at = -1;
        List<String> snapshot = new ArrayList<>(log);
        for (String e : events) {
            int i = snapshot.subList(at + 1, snapshot.size()).indexOf(e);
            assertTrue(i >= 0, "expected '" + e + "' after position " + at + " in " + snapshot);
            at = at + 1 + i;
        }
    }

    @Test
    void blockingCallbackDemotesAfterHoldersReleaseSyncThenInvalidateThenConvert() throws Exception {
        Holder h = n1.glocks.acquire(ino, GlockState.EX);
        n1.caches.dirty.add(ino);
        Holder wanted = n2.glocks.enqueue(ino, GlockState.EX, 0);
        Glock g1 = n1.glocks.find(ino);
        assertEquals(1, g1.blockingCallbacks());
        assertEquals(GlockState.UN, g1.pendingDemote());
        n1.worker.advance(1000 * MS); // past any hold time: still nothing while the holder is granted
        assertFalse(log.contains("n1 log.flush 2/20"));
        assertTrue(wanted.isWaiting());
        log.clear();
        h.close();
        n1.worker.runAll();
        assertInOrder("n1 pages.writeBack 20", "n1 log.flush 2/20", "n1 meta.writeBack 2/20",
                "n1 meta.invalidate 2/20", "n1 pages.invalidate 20", "n1 convert 2/20 EX->NL");
        assertTrue(wanted.isGranted());
        assertEquals(GlockState.UN, g1.state());
        assertEquals(LockMode.NL, dlm.grantedMode(1, ino), "UN keeps the DLM lock at NL");
        assertEquals(1, g1.demotions());
        wanted.close();
    }

    @Test
    void cleanGlockSkipsTheJournalFlush() throws Exception {
        n1.glocks.acquire(ino, GlockState.EX).close();
        log.clear();
        n2.glocks.enqueue(ino, GlockState.EX, 0);
        n1.worker.runAll();
        assertFalse(log.contains("n1 log.flush 2/20"), log.toString());
        assertInOrder("n1 pages.writeBack 20", "n1 meta.invalidate 2/20", "n1 convert 2/20 EX->NL");
    }

    @Test
    void newLocalRequestsQueueBehindAnActiveDemote() throws Exception {
        Holder h = n1.glocks.acquire(ino, GlockState.EX);
        n1.worker.advance(1000 * MS);
        n2.glocks.enqueue(ino, GlockState.EX, 0);
        Holder late = n1.glocks.enqueue(ino, GlockState.SH, 0);
        assertTrue(late.isWaiting(), "EX is cached but a demote is pending");
        h.close();
        n1.worker.runAll();
        assertTrue(late.isWaiting(), "now node 2 has it");
        assertTrue(log.contains("n1 convert 2/20 NL->PR"), log.toString());
    }

    @Test
    void sharedRequestElsewhereDemotesExclusiveToSharedWithoutInvalidating() throws Exception {
        n1.glocks.acquire(ino, GlockState.EX).close();
        log.clear();
        Holder reader = n2.glocks.enqueue(ino, GlockState.SH, 0);
        n1.worker.runAll();
        assertTrue(reader.isGranted());
        assertEquals(GlockState.SH, n1.glocks.find(ino).state());
        assertInOrder("n1 pages.writeBack 20", "n1 convert 2/20 EX->PR");
        assertFalse(log.stream().anyMatch(s -> s.startsWith("n1") && s.contains("invalidate")), log.toString());
    }

    @Test
    void deferredRequestElsewhereDropsDataOnly() throws Exception {
        n1.glocks.acquire(ino, GlockState.EX).close();
        log.clear();
        Holder dio = n2.glocks.enqueue(ino, GlockState.DF, 0);
        n1.worker.runAll();
        assertTrue(dio.isGranted());
        assertEquals(GlockState.DF, n1.glocks.find(ino).state());
        assertInOrder("n1 meta.invalidate 2/20 dataOnly", "n1 pages.invalidate 20 dataOnly", "n1 convert 2/20 EX->CW");
    }

    @Test
    void minimumHoldTimeDelaysRemoteDemoteOfABusyInodeGlock() throws Exception {
        Holder h = n1.glocks.acquire(ino, GlockState.EX);
        n2.glocks.enqueue(ino, GlockState.EX, 0);
        Glock g1 = n1.glocks.find(ino);
        // Within the hold time, local work continues: a new holder is still granted.
        h.close();
        n1.worker.runAll();
        assertEquals(GlockState.EX, g1.state());
        Holder again = n1.glocks.acquire(ino, GlockState.EX);
        assertTrue(again.isGranted());
        again.close();
        n1.worker.advance(199 * MS);
        assertEquals(GlockState.EX, g1.state());
        n1.worker.advance(1 * MS);
        assertEquals(GlockState.UN, g1.state());
    }

    @Test
    void rgrpGlocksHaveNoHoldTime() throws Exception {
        GlockName rg = GlockName.rgrp(0x11);
        Holder h = n1.glocks.acquire(rg, GlockState.EX);
        n2.glocks.enqueue(rg, GlockState.EX, 0);
        h.close();
        n1.worker.runAll();
        assertEquals(GlockState.UN, n1.glocks.find(rg).state());
    }

    @Test
    void nocacheHolderDemotesOnReleaseInClusterMode() throws Exception {
        GlockName q = GlockName.userQuota(7);
        n1.glocks.acquire(q, GlockState.EX, HolderFlags.NOCACHE).close();
        n1.worker.runAll();
        assertEquals(GlockState.UN, n1.glocks.find(q).state());
        assertTrue(log.contains("n1 convert 8/e EX->NL"), log.toString());
    }

    @Test
    void iopenCallbackAsksTheInodeOwnerToCheckDeallocation() throws Exception {
        GlockName io = GlockName.iopen(0x20);
        List<GlockState> asked = new ArrayList<>();
        Glock g1 = n1.glocks.pin(io);
        g1.attach(new GlockObject() {
            @Override
            public void demoteRequested(Glock glock, GlockState target) {
                asked.add(target);
            }
        });
        Holder inUse = n1.glocks.acquire(io, GlockState.SH);
        Holder deleter = n2.glocks.enqueue(io, GlockState.EX, HolderFlags.TRY_1CB | HolderFlags.NOCACHE);
        assertTrue(deleter.isFailed(), "node 1 still has the inode open");
        assertEquals(List.of(GlockState.UN), asked);
        // node 1 evicts its inode: the iopen holder goes, and the demote proceeds
        inUse.close();
        n1.worker.runAll();
        assertEquals(GlockState.UN, g1.state());
        Holder again = n2.glocks.acquire(io, GlockState.EX, HolderFlags.TRY_1CB | HolderFlags.NOCACHE);
        assertTrue(again.isGranted());
        again.close();
        g1.unpin();
    }

    @Test
    void demoteRequestsForDifferentStatesCombineToUnlocked() throws Exception {
        Holder h = n1.glocks.acquire(ino, GlockState.EX);
        n1.glocks.forceDemote(ino, GlockState.SH);
        n1.glocks.forceDemote(ino, GlockState.DF);
        assertEquals(GlockState.UN, n1.glocks.find(ino).pendingDemote());
        h.close();
        n1.worker.runAll();
        assertEquals(GlockState.UN, n1.glocks.find(ino).state());
    }

    @Test
    void delayedDemoteIsNotLostWhenAnOlderTimerFiresEarly() throws Exception {
        Holder h1 = n1.glocks.acquire(ino, GlockState.EX);
        Holder a = n2.glocks.enqueue(ino, GlockState.EX, 0); // n1: demote due in 200 ms, timer armed
        n1.glocks.forceDemote(ino, GlockState.UN);           // ... but forced now
        h1.close();
        n1.worker.runAll();
        assertTrue(a.isGranted());
        n1.worker.advance(50 * MS);
        a.close();
        Holder h2 = n1.glocks.enqueue(ino, GlockState.EX, 0);
        n2.worker.runAll();
        assertTrue(h2.isGranted());
        Holder b = n2.glocks.enqueue(ino, GlockState.EX, 0); // n1: demote due at 50 + 200 ms
        h2.close();
        n1.worker.advance(150 * MS); // the first timer fires, too early for this request
        assertTrue(b.isWaiting());
        n1.worker.advance(60 * MS);
        assertTrue(b.isGranted(), n1.glocks.dump());
        b.close();
    }

    @Test
    void kernelWriteBackDuringTheSyncIsServedUnderTheStillHeldExLock() throws Exception {
        GlockManager[] self = new GlockManager[1];
        List<String> seen = new ArrayList<>();
        Holder[] plain = new Holder[1];
        PageCacheNotifier kernel = new PageCacheNotifier() {
            @Override
            public void writeBack(long inodeBlock) throws java.io.IOException {
                // the kernel launders a dirty page: FUSE_WRITE arrives and needs the inode glock
                try (Holder w = self[0].acquire(GlockName.inode(inodeBlock), GlockState.EX, HolderFlags.WRITEBACK)) {
                    seen.add("write " + w.isGranted());
                }
                if (plain[0] == null) {
                    plain[0] = self[0].enqueue(GlockName.inode(inodeBlock), GlockState.EX, 0);
                    seen.add("plain waits " + plain[0].isWaiting());
                }
            }

            @Override
            public void invalidate(long inodeBlock, boolean dataOnly) {
                seen.add("invalidate");
            }
        };
        ManualScheduler worker = new ManualScheduler();
        GlockManager m = new GlockManager(dlm.node(3), GlockOperationsTable.standard(LogFlusher.NONE,
                MetadataCache.NONE, kernel), worker, GlockConfig.cluster());
        self[0] = m;
        m.acquire(ino, GlockState.EX).close();
        m.forceDemote(ino, GlockState.UN);
        worker.runAll();
        assertEquals(List.of("write true", "plain waits true", "invalidate"), seen);
        assertTrue(log.indexOf("n3 convert 2/20 EX->NL") >= 0, log.toString());
        // outside a sync phase, WRITEBACK is an ordinary holder
        worker.runAll();
        assertTrue(plain[0].isGranted());
        Holder wb = m.enqueue(ino, GlockState.EX, HolderFlags.WRITEBACK);
        assertTrue(wb.isWaiting());
        plain[0].close();
        assertTrue(wb.isGranted());
        wb.close();
        m.close();
        assertEquals(null, dlm.grantedMode(3, ino));
    }

    @Test
    void unmountAbandonsAGlockItCannotWriteBackKeepingItsLock() throws Exception {
        List<String> failures = new ArrayList<>();
        MetadataCache broken = new MetadataCache() {
            @Override
            public boolean isDirty(GlockName glock) {
                return true;
            }

            @Override
            public void writeBack(GlockName glock) throws java.io.IOException {
                throw new java.io.IOException("device gone");
            }

            @Override
            public void invalidate(GlockName glock, boolean metadata) {
            }
        };
        ManualScheduler worker = new ManualScheduler();
        GlockManager m = new GlockManager(dlm.node(3), GlockOperationsTable.standard(LogFlusher.NONE, broken,
                PageCacheNotifier.NONE), worker, GlockConfig.cluster());
        m.onWriteBackFailure((g, e) -> failures.add(g.name() + " " + e.getMessage()));
        m.acquire(ino, GlockState.EX).close();
        m.acquire(GlockName.inode(0x21), GlockState.SH).close();
        m.close();
        assertEquals(List.of("2/20 device gone"), failures);
        assertEquals(LockMode.EX, dlm.grantedMode(3, ino), "never released: node 3's journal must be recovered first");
        assertEquals(null, dlm.grantedMode(3, GlockName.inode(0x21)));
        assertEquals(0, m.size());
    }
}
