package org.gfs2j.fs.glock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.gfs2j.dlm.LockMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Local holders: compatibility with the cached state, queueing, promotion through the DLM. */
class HolderQueueTest {
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final FakeDlm dlm = new FakeDlm(32, log);
    private final TestNode node = new TestNode(dlm, 1, log, GlockConfig.singleNodeMount());
    private final GlockName ino = GlockName.inode(0x10);

    @AfterEach
    void close() {
        node.close();
    }

    private List<String> dlmCalls() {
        List<String> out = new ArrayList<>();
        for (String s : log) {
            if (s.matches("n\\d (lock|convert|unlock|cancel) .*")) {
                out.add(s);
            }
        }
        return out;
    }

    @Test
    void compatibleHoldersShareOneDlmLock() throws Exception {
        Holder a = node.glocks.acquire(ino, GlockState.SH);
        Holder b = node.glocks.acquire(ino, GlockState.SH);
        assertTrue(a.isGranted());
        assertTrue(b.isGranted());
        assertEquals(List.of("n1 lock 2/10 PR"), dlmCalls());
        assertEquals(LockMode.PR, dlm.grantedMode(1, ino));
        a.close();
        b.close();
    }

    @Test
    void stateStaysCachedAfterRelease() throws Exception {
        node.glocks.acquire(ino, GlockState.EX).close();
        Glock g = node.glocks.find(ino);
        assertEquals(GlockState.EX, g.state());
        assertEquals(LockMode.EX, dlm.grantedMode(1, ino));
        int calls = dlmCalls().size();
        node.glocks.acquire(ino, GlockState.EX).close();
        node.glocks.acquire(ino, GlockState.SH).close(); // SH under a cached EX: no conversion
        assertEquals(calls, dlmCalls().size());
        assertEquals(0, node.worker.runAll());
        assertEquals(GlockState.EX, g.state());
    }

    @Test
    void exclusiveHoldersQueueLocallyAndAreGrantedInOrder() throws Exception {
        Holder first = node.glocks.acquire(ino, GlockState.EX);
        Holder second = node.glocks.enqueue(ino, GlockState.EX, 0);
        Holder third = node.glocks.enqueue(ino, GlockState.SH, 0);
        assertTrue(second.isWaiting());
        assertTrue(third.isWaiting());
        first.close();
        assertTrue(second.isGranted());
        assertTrue(third.isWaiting(), "SH waits behind the granted EX holder");
        second.close();
        assertTrue(third.isGranted());
        third.await().close();
        assertEquals(1, dlmCalls().size(), "all of it without a second DLM call: " + dlmCalls());
    }

    @Test
    void sharedHoldersBlockAnExclusiveOneUntilReleased() throws Exception {
        Holder s1 = node.glocks.acquire(ino, GlockState.SH);
        Holder s2 = node.glocks.acquire(ino, GlockState.SH);
        Holder ex = node.glocks.enqueue(ino, GlockState.EX, 0);
        assertTrue(ex.isWaiting());
        s1.close();
        assertTrue(ex.isWaiting());
        s2.close();
        // the promotion SH -> EX runs on the worker once the last shared holder is gone
        node.worker.runAll();
        assertTrue(ex.isGranted());
        assertEquals(List.of("n1 lock 2/10 PR", "n1 convert 2/10 PR->EX"), dlmCalls());
        assertEquals(GlockState.EX, node.glocks.find(ino).state());
        assertEquals(2, node.glocks.find(ino).promotions());
        ex.close();
    }

    @Test
    void promotionInTheAcquiringThread() throws Exception {
        node.glocks.acquire(ino, GlockState.SH).close();
        Holder ex = node.glocks.acquire(ino, GlockState.EX);
        assertTrue(ex.isGranted());
        assertEquals(List.of("n1 lock 2/10 PR", "n1 convert 2/10 PR->EX"), dlmCalls());
        ex.close();
    }

    @Test
    void exactSharedUnderExclusiveConvertsDownAfterSync() throws Exception {
        node.glocks.acquire(ino, GlockState.EX).close();
        Holder sh = node.glocks.acquire(ino, GlockState.SH, HolderFlags.EXACT);
        assertTrue(sh.isGranted());
        assertEquals(GlockState.SH, node.glocks.find(ino).state());
        int sync = log.indexOf("n1 pages.writeBack 10");
        int conv = log.indexOf("n1 convert 2/10 EX->PR");
        assertTrue(sync >= 0 && conv > sync, log.toString());
        assertFalse(log.stream().anyMatch(s -> s.contains("invalidate")), "EX -> SH keeps caches: " + log);
        sh.close();
    }

    @Test
    void anyAcceptsWhicheverSharedStateIsCached() throws Exception {
        node.glocks.acquire(ino, GlockState.SH).close();
        int calls = dlmCalls().size();
        Holder any = node.glocks.acquire(ino, GlockState.DF, HolderFlags.ANY);
        assertTrue(any.isGranted());
        assertEquals(calls, dlmCalls().size());
        any.close();
        Holder df = node.glocks.acquire(ino, GlockState.DF);
        assertEquals(GlockState.DF, node.glocks.find(ino).state());
        df.close();
    }

    @Test
    void priorityHolderJumpsTheLocalQueue() throws Exception {
        Holder first = node.glocks.acquire(ino, GlockState.EX);
        Holder normal = node.glocks.enqueue(ino, GlockState.EX, 0);
        Holder urgent = node.glocks.enqueue(ino, GlockState.EX, HolderFlags.PRIORITY);
        first.close();
        assertTrue(urgent.isGranted());
        assertTrue(normal.isWaiting());
        urgent.close();
        assertTrue(normal.isGranted());
        normal.close();
    }

    @Test
    void closingAWaitingHolderWithdrawsIt() throws Exception {
        Holder first = node.glocks.acquire(ino, GlockState.EX);
        Holder w = node.glocks.enqueue(ino, GlockState.EX, 0);
        w.close();
        first.close();
        assertFalse(w.isGranted());
        assertEquals(0, node.glocks.find(ino).holderCount());
        w.close(); // twice is harmless
    }

    @Test
    void refreshRunsOnceAfterAGrantAndAgainOnlyAfterInvalidation() throws Exception {
        int[] refreshes = {0};
        Glock g = node.glocks.pin(ino);
        g.attach(new GlockObject() {
            @Override
            public void refresh(Glock glock) {
                refreshes[0]++;
            }
        });
        node.glocks.acquire(ino, GlockState.SH).close();
        node.glocks.acquire(ino, GlockState.EX).close();
        node.glocks.acquire(ino, GlockState.SH).close();
        assertEquals(1, refreshes[0]);
        node.glocks.forceDemote(ino, GlockState.UN);
        node.worker.runAll();
        node.glocks.acquire(ino, GlockState.SH, HolderFlags.SKIP).close();
        assertEquals(1, refreshes[0], "SKIP holders do not refresh");
        node.glocks.acquire(ino, GlockState.SH).close();
        assertEquals(2, refreshes[0]);
        g.unpin();
    }

    @Test
    void failedRefreshFailsTheHolderAndTheNextOneRetries() throws Exception {
        int[] calls = {0};
        Glock g = node.glocks.pin(ino);
        g.attach(new GlockObject() {
            @Override
            public void refresh(Glock glock) throws java.io.IOException {
                if (calls[0]++ == 0) {
                    throw new java.io.IOException("bad dinode");
                }
            }
        });
        GlockException e = assertThrows(GlockException.class, () -> node.glocks.acquire(ino, GlockState.SH));
        assertTrue(e.getMessage().contains("bad dinode"), e.getMessage());
        assertEquals(0, g.holderCount());
        node.glocks.acquire(ino, GlockState.SH).close();
        assertEquals(2, calls[0]);
        g.unpin();
    }

    @Test
    void badRequestsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> node.glocks.acquire(ino, GlockState.UN));
        assertThrows(IllegalArgumentException.class, () -> node.glocks.acquire(ino, GlockState.SH, 0x4000_0000));
    }

    @Test
    void dumpShowsGlocksAndHolders() throws Exception {
        Holder h = node.glocks.acquire(GlockName.inode(0x1a2b), GlockState.EX);
        String d = node.glocks.dump();
        assertTrue(d.contains("G: s:EX n:2/1a2b"), d);
        assertTrue(d.contains("H: s:EX f: granted"), d);
        h.close();
    }
}
