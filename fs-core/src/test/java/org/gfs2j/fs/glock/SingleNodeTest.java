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

/** Single-node mode never demotes on its own; forced demotes exercise the same paths. */
class SingleNodeTest {
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final FakeDlm dlm = new FakeDlm(32, log);
    private final TestNode node = new TestNode(dlm, 1, log, GlockConfig.singleNodeMount());
    private final GlockName ino = GlockName.inode(0x30);

    @AfterEach
    void close() {
        node.close();
    }

    @Test
    void glocksStayCachedNocacheIncluded() throws Exception {
        for (int i = 0; i < 50; i++) {
            node.glocks.acquire(GlockName.inode(0x1000 + i), GlockState.EX, HolderFlags.NOCACHE).close();
        }
        node.worker.runAll();
        assertEquals(50, node.glocks.size());
        assertEquals(GlockState.EX, node.glocks.find(GlockName.inode(0x1000)).state());
        assertFalse(log.stream().anyMatch(s -> s.contains("convert") || s.contains("unlock")), log.toString());
    }

    @Test
    void forcedDemoteToUnlockedSyncsInvalidatesAndRefreshesOnNextUse() throws Exception {
        int[] refreshes = {0};
        List<Boolean> invalidated = new ArrayList<>();
        Glock g = node.glocks.pin(ino);
        g.attach(new GlockObject() {
            @Override
            public void refresh(Glock glock) {
                refreshes[0]++;
            }

            @Override
            public void invalidate(Glock glock, boolean metadata) {
                invalidated.add(metadata);
            }
        });
        Holder h = node.glocks.acquire(ino, GlockState.EX);
        node.caches.dirty.add(ino);
        assertTrue(node.glocks.forceDemote(ino, GlockState.UN));
        node.worker.runAll();
        assertEquals(GlockState.EX, g.state(), "waits for the holder");
        h.close();
        node.worker.runAll();
        assertEquals(GlockState.UN, g.state());
        assertEquals(List.of(true), invalidated);
        int flush = log.indexOf("n1 log.flush 2/30");
        int inval = log.indexOf("n1 meta.invalidate 2/30");
        int conv = log.indexOf("n1 convert 2/30 EX->NL");
        assertTrue(flush >= 0 && flush < inval && inval < conv, log.toString());
        assertEquals(LockMode.NL, dlm.grantedMode(1, ino));
        node.glocks.acquire(ino, GlockState.SH).close();
        assertEquals(2, refreshes[0]);
        assertTrue(log.contains("n1 convert 2/30 NL->PR"), log.toString());
        g.unpin();
    }

    @Test
    void forcedDemoteOfAnUncachedGlockIsANoOp() {
        assertFalse(node.glocks.forceDemote(GlockName.inode(0x999), GlockState.UN));
    }

    @Test
    void shrinkFreesUnusedGlocksButNotPinnedOnes() throws Exception {
        Glock pinned = node.glocks.pin(GlockName.inode(1));
        node.glocks.acquire(GlockName.inode(1), GlockState.SH).close();
        node.glocks.acquire(GlockName.inode(2), GlockState.SH).close();
        node.glocks.acquire(GlockName.inode(3), GlockState.EX).close();
        node.glocks.acquire(GlockName.rgrp(4), GlockState.EX).close(); // rgrps are not on the LRU
        assertEquals(2, node.glocks.lruSize());
        assertEquals(2, node.glocks.shrink(0));
        node.worker.runAll();
        assertEquals(2, node.glocks.size());
        assertTrue(log.contains("n1 unlock 2/2 NL"), log.toString());
        assertTrue(log.contains("n1 convert 2/3 EX->NL") && log.contains("n1 unlock 2/3 NL"), log.toString());
        assertEquals(null, dlm.grantedMode(1, GlockName.inode(3)));
        // a freed glock comes back transparently
        node.glocks.acquire(GlockName.inode(3), GlockState.SH).close();
        assertEquals(3, node.glocks.size());
        pinned.unpin();
    }
}
