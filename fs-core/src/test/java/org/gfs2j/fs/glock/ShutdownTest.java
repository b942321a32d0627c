package org.gfs2j.fs.glock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.gfs2j.dlm.LockMode;
import org.junit.jupiter.api.Test;

class ShutdownTest {
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final FakeDlm dlm = new FakeDlm(32, log);

    @Test
    void closeWritesBackAndReleasesEveryDlmLock() throws Exception {
        TestNode n1 = new TestNode(dlm, 1, log, GlockConfig.cluster());
        TestNode n2 = new TestNode(dlm, 2, log, GlockConfig.cluster());
        GlockName dirty = GlockName.inode(0x60);
        GlockName shared = GlockName.inode(0x61);
        GlockName contended = GlockName.inode(0x62);
        GlockName rg = GlockName.rgrp(0x63);
        n1.glocks.acquire(dirty, GlockState.EX).close();
        n1.caches.dirty.add(dirty);
        n1.glocks.acquire(shared, GlockState.SH).close();
        // node 2 keeps an NL lock on the rgrp, so its value outlives node 1's locks
        n2.glocks.acquire(rg, GlockState.SH).close();
        n2.glocks.forceDemote(rg, GlockState.UN);
        n2.worker.runAll();
        Holder otherNode = n2.glocks.acquire(contended, GlockState.EX);
        Holder waiting = n1.glocks.enqueue(contended, GlockState.EX, 0);
        assertTrue(waiting.isWaiting());
        Holder stillHeld = n1.glocks.acquire(rg, GlockState.EX);
        stillHeld.writeValueBlock(new RgrpLvb(0, 77, 0, 0, 0).encode());
        Glock pinned = n1.glocks.pin(GlockName.iopen(0x60));
        n1.glocks.acquire(GlockName.iopen(0x60), GlockState.SH).close();

        n1.close();

        assertTrue(waiting.isFailed());
        GlockException e = assertThrows(GlockException.class, waiting::await);
        assertTrue(e.getMessage().contains("shut down"), e.getMessage());
        assertTrue(!stillHeld.isGranted());
        for (GlockName n : List.of(dirty, shared, contended, rg, GlockName.iopen(0x60))) {
            assertNull(dlm.grantedMode(1, n), n + " still locked by node 1: " + log);
        }
        int flush = log.indexOf("n1 log.flush 2/60");
        int unlock = log.indexOf("n1 unlock 2/60 NL");
        assertTrue(flush >= 0 && unlock > flush, log.toString());
        try (Holder reader = n2.glocks.acquire(rg, GlockState.SH)) {
            assertEquals(77, RgrpLvb.decode(reader.valueBlock()).orElseThrow(() -> new AssertionError(log.toString()))
                    .freeBlocks(), "the EX holder's value was published on the way down");
        }
        assertEquals(0, n1.glocks.size());
        assertTrue(pinned.isFreed());
        assertThrows(GlockException.class, () -> n1.glocks.acquire(dirty, GlockState.SH));
        // the other node is unaffected and can now get what node 1 had
        assertEquals(LockMode.EX, dlm.grantedMode(2, contended));
        otherNode.close();
        n2.glocks.acquire(dirty, GlockState.EX).close();
        n2.close();
        assertEquals(0, dlm.lockCount());
        n1.close(); // twice is harmless
    }
}
