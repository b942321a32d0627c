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

/** Two GlockManagers ("nodes") on one fake lockspace ping-pong an EX inode glock. */
class TwoNodeTest {
    private static final long MS = 1_000_000L;
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final FakeDlm dlm = new FakeDlm(32, log);
    private final TestNode n1 = new TestNode(dlm, 1, log, GlockConfig.cluster());
    private final TestNode n2 = new TestNode(dlm, 2, log, GlockConfig.cluster());
    private final GlockName ino = GlockName.inode(0x40);

    @AfterEach
    void close() {
        n1.close();
        n2.close();
    }

    private static final class CountingInode implements GlockObject {
        int refreshes;
        int invalidations;

        @Override
        public void refresh(Glock glock) {
            refreshes++;
        }

        @Override
        public void invalidate(Glock glock, boolean metadata) {
            invalidations++;
        }
    }

    @Test
    void exclusiveGlockPingPongsWithOperationsEachTime() throws Exception {
        CountingInode i1 = new CountingInode();
        CountingInode i2 = new CountingInode();
        Glock g1 = n1.glocks.pin(ino);
        Glock g2 = n2.glocks.pin(ino);
        g1.attach(i1);
        g2.attach(i2);
        TestNode[] nodes = {n1, n2};
        Holder current = n1.glocks.acquire(ino, GlockState.EX);
        nodes[0].caches.dirty.add(ino);
        int rounds = 6;
        for (int round = 1; round <= rounds; round++) {
            TestNode giver = nodes[(round - 1) % 2];
            TestNode taker = nodes[round % 2];
            log.clear();
            Holder next = taker.glocks.enqueue(ino, GlockState.EX, 0);
            assertTrue(next.isWaiting());
            current.close();
            giver.worker.advance(250 * MS); // past the minimum hold time
            assertTrue(next.isGranted(), "round " + round + ": " + log);
            next.await();
            String g = "n" + giver.id;
            String t = "n" + taker.id;
            List<String> expected = List.of(g + " pages.writeBack 40", g + " log.flush 2/40", g + " meta.writeBack 2/40",
                    g + " meta.invalidate 2/40", g + " pages.invalidate 40", g + " convert 2/40 EX->NL");
            int from = log.indexOf(expected.get(0));
            assertTrue(from >= 0, log.toString());
            assertEquals(expected, log.subList(from, from + expected.size()));
            assertTrue(log.indexOf(t + (round == 1 ? " lock 2/40 EX" : " convert 2/40 NL->EX")) >= 0, log.toString());
            assertEquals(LockMode.EX, dlm.grantedMode(taker.id, ino));
            assertEquals(LockMode.NL, dlm.grantedMode(giver.id, ino));
            taker.caches.dirty.add(ino);
            current = next;
        }
        current.close();
        assertEquals(rounds / 2 + 1, i1.refreshes);
        assertEquals(rounds / 2, i2.refreshes);
        assertEquals(rounds / 2, i1.invalidations);
        assertEquals(rounds / 2, i2.invalidations);
        assertEquals(rounds / 2, g1.demotions());
        assertEquals(rounds / 2, g2.blockingCallbacks());
        g1.unpin();
        g2.unpin();
    }

    @Test
    void sharedOnBothNodesThenOneWritesAndTheOtherDropsToUnlocked() throws Exception {
        n1.glocks.acquire(ino, GlockState.SH).close();
        n2.glocks.acquire(ino, GlockState.SH).close();
        assertEquals(LockMode.PR, dlm.grantedMode(1, ino));
        assertEquals(LockMode.PR, dlm.grantedMode(2, ino));
        log.clear();
        Holder w = n1.glocks.enqueue(ino, GlockState.EX, 0);
        assertFalse(w.isGranted());
        n2.worker.advance(250 * MS);
        assertTrue(w.isGranted(), log.toString());
        assertFalse(log.contains("n2 log.flush 2/40"), "SH has nothing to write back: " + log);
        assertTrue(log.contains("n2 meta.invalidate 2/40"), log.toString());
        assertTrue(log.contains("n2 convert 2/40 PR->NL"), log.toString());
        w.close();
    }

    @Test
    void conversionDeadlockIsBrokenByDroppingToUnlocked() throws Exception {
        n1.glocks.acquire(ino, GlockState.SH).close();
        n2.glocks.acquire(ino, GlockState.SH).close();
        dlm.holdCallbacks = true;
        Holder w1 = n1.glocks.enqueue(ino, GlockState.EX, 0); // PR->EX queued behind node 2's PR
        Holder w2 = n2.glocks.enqueue(ino, GlockState.EX, 0); // PR->EX: conversion deadlock
        dlm.holdCallbacks = false;
        dlm.deliver();
        n2.worker.runAll(); // node 2 drops to UN and asks again
        assertTrue(w1.isGranted(), log.toString());
        assertTrue(w2.isWaiting());
        assertTrue(log.contains("n2 convert 2/40 PR->NL"), log.toString());
        w1.close();
        n1.worker.advance(250 * MS);
        n2.worker.runAll();
        assertTrue(w2.isGranted(), n1.glocks.dump() + n2.glocks.dump() + log);
        w2.close();
    }

    @Test
    void holdersThatAskedForAGrantGetItBeforeAPendingDemote() throws Exception {
        GlockName rg = GlockName.rgrp(0x41);
        n1.glocks.acquire(rg, GlockState.SH).close();
        dlm.holdCallbacks = true;
        Holder other = n2.glocks.enqueue(rg, GlockState.EX, 0);  // blocked by node 1's PR: callback to node 1
        Holder mine = n1.glocks.enqueue(rg, GlockState.EX, 0);   // PR->EX granted at once (conversion first)
        dlm.holdCallbacks = false;
        dlm.deliver();                                           // the callback, then the grant
        assertTrue(mine.isGranted(), n1.glocks.dump());
        assertEquals(GlockState.UN, n1.glocks.find(rg).pendingDemote());
        Holder late = n1.glocks.enqueue(rg, GlockState.EX, 0);
        assertTrue(late.isWaiting(), "later holders queue behind the demote");
        Holder t = n1.glocks.enqueue(rg, GlockState.SH, HolderFlags.TRY);
        assertTrue(t.isFailed(), "a try lock does not wait behind a due demote");
        mine.close();
        n1.worker.runAll();
        assertTrue(other.isGranted());
        assertTrue(late.isWaiting());
        other.close();
        n2.worker.runAll();
        assertTrue(late.isGranted());
        late.close();
    }
}
