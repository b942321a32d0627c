package org.gfs2j.fs.glock;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** rgrp value blocks: read on grant, written only when leaving EX, zeros when invalid. */
class ValueBlockTest {
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final FakeDlm dlm = new FakeDlm(32, log);
    private final TestNode n1 = new TestNode(dlm, 1, log, GlockConfig.cluster());
    private final TestNode n2 = new TestNode(dlm, 2, log, GlockConfig.cluster());
    private final GlockName rg = GlockName.rgrp(0x11);

    @AfterEach
    void close() {
        n1.close();
        n2.close();
    }

    @Test
    void neverWrittenValueReadsAsZerosAndIsInvalid() throws Exception {
        Holder h = n1.glocks.acquire(rg, GlockState.SH);
        assertArrayEquals(new byte[32], h.valueBlock());
        assertTrue(RgrpLvb.decode(h.valueBlock()).isEmpty());
        h.close();
    }

    @Test
    void exclusiveHoldersValueReachesTheOtherNodeWhenItLeavesEx() throws Exception {
        Holder h = n1.glocks.acquire(rg, GlockState.EX);
        RgrpLvb counts = new RgrpLvb(0, 1000, 3, 42, 1);
        h.writeValueBlock(counts.encode());
        h.close();
        assertNull(dlm.resourceValue(rg), "the value stays local while the glock is cached in EX");
        Holder reader = n2.glocks.enqueue(rg, GlockState.SH, 0);
        n1.worker.runAll();
        assertTrue(reader.isGranted());
        reader.await();
        assertEquals(counts, RgrpLvb.decode(reader.valueBlock()).orElseThrow());
        assertTrue(log.contains("n1 convert 3/11 EX->PR"), log.toString());
        reader.close();
    }

    @Test
    void valueWrittenOnDemoteToUnlockedAndOnUnlock() throws Exception {
        Holder h = n1.glocks.acquire(rg, GlockState.EX);
        h.writeValueBlock(new RgrpLvb(0, 7, 0, 0, 0).encode());
        h.close();
        n1.glocks.forceDemote(rg, GlockState.UN);
        n1.worker.runAll();
        assertEquals(7, RgrpLvb.decode(dlm.resourceValue(rg)).orElseThrow().freeBlocks());
        // n2 changes it and unmounts: the unlock from EX publishes it
        Holder h2 = n2.glocks.acquire(rg, GlockState.EX);
        assertEquals(7, RgrpLvb.decode(h2.valueBlock()).orElseThrow().freeBlocks());
        h2.writeValueBlock(new RgrpLvb(0, 6, 1, 1, 0).encode());
        h2.close();
        n2.close();
        assertEquals(6, RgrpLvb.decode(dlm.resourceValue(rg)).orElseThrow().freeBlocks());
    }

    @Test
    void onlyAnExclusiveHolderMayWriteIt() throws Exception {
        Holder sh = n1.glocks.acquire(rg, GlockState.SH);
        assertThrows(IllegalStateException.class, () -> sh.writeValueBlock(new byte[32]));
        sh.close();
        assertThrows(IllegalStateException.class, () -> sh.writeValueBlock(new byte[32]));
        Holder ex = n1.glocks.acquire(rg, GlockState.EX);
        assertThrows(IllegalArgumentException.class, () -> ex.writeValueBlock(new byte[8]));
        ex.close();
        Holder ino = n1.glocks.acquire(GlockName.inode(5), GlockState.EX);
        assertThrows(IllegalStateException.class, () -> ino.writeValueBlock(new byte[32]), "inode glocks carry none");
        ino.close();
    }

    @Test
    void valueMarkedInvalidByRecoveryIsZeroed() throws Exception {
        Holder h = n1.glocks.acquire(rg, GlockState.EX);
        h.writeValueBlock(new RgrpLvb(0, 9, 0, 0, 0).encode());
        h.close();
        n1.glocks.forceDemote(rg, GlockState.UN);
        n1.worker.runAll();
        dlm.invalidateValue(rg);
        Holder h2 = n2.glocks.acquire(rg, GlockState.SH);
        assertArrayEquals(new byte[32], h2.valueBlock());
        h2.close();
    }

    @Test
    void quotaGlocksCarryAValueBlockToo() throws Exception {
        GlockName q = GlockName.userQuota(1000);
        Holder h = n1.glocks.acquire(q, GlockState.EX, HolderFlags.NOCACHE);
        h.writeValueBlock(new QuotaLvb(100, 80, 5).encode());
        h.close();
        n1.worker.runAll();
        Holder r = n2.glocks.acquire(q, GlockState.SH);
        assertEquals(new QuotaLvb(100, 80, 5), QuotaLvb.decode(r.valueBlock()).orElseThrow());
        r.close();
    }
}
