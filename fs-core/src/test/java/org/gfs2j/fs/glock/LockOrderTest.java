package org.gfs2j.fs.glock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LockOrderTest {
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final FakeDlm dlm = new FakeDlm(32, log);
    private final TestNode n1 = new TestNode(dlm, 1, log, GlockConfig.cluster());
    private final TestNode n2 = new TestNode(dlm, 2, log, GlockConfig.cluster());

    @AfterEach
    void close() {
        n1.close();
        n2.close();
    }

    @Test
    void inodeAfterRgrpIsRejected() throws Exception {
        try (Holder rg = n1.glocks.acquire(GlockName.rgrp(100), GlockState.EX)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> n1.glocks.acquire(GlockName.inode(5), GlockState.EX));
            assertTrue(e.getMessage().contains("lock order"), e.getMessage());
            // the exceptions of spec 4.13: try locks, a freshly allocated inode, iopen
            n1.glocks.acquire(GlockName.inode(6), GlockState.EX, HolderFlags.TRY).close();
            n1.glocks.acquire(GlockName.inode(7), GlockState.EX, HolderFlags.ORDER_EXEMPT).close();
            n1.glocks.acquire(GlockName.iopen(7), GlockState.SH).close();
        }
        n1.glocks.acquire(GlockName.inode(5), GlockState.EX).close();
    }

    @Test
    void rgrpsInAscendingOrderOnly() throws Exception {
        try (Holder a = n1.glocks.acquire(GlockName.rgrp(200), GlockState.EX)) {
            assertThrows(IllegalStateException.class, () -> n1.glocks.acquire(GlockName.rgrp(100), GlockState.EX));
            n1.glocks.acquire(GlockName.rgrp(300), GlockState.EX).close();
        }
    }

    @Test
    void renameGlockBeforeInodes() throws Exception {
        GlockName rename = GlockName.nondisk(GlockName.NONDISK_RENAME);
        try (Holder i = n1.glocks.acquire(GlockName.inode(9), GlockState.EX)) {
            assertThrows(IllegalStateException.class, () -> n1.glocks.acquire(rename, GlockState.EX));
        }
        try (Holder r = n1.glocks.acquire(rename, GlockState.EX);
             Holder i = n1.glocks.acquire(GlockName.inode(9), GlockState.EX)) {
            assertTrue(i.isGranted());
        }
    }

    @Test
    void orderedAcquisitionSortsAndMerges() throws Exception {
        List<GlockRequest> rs = List.of(GlockRequest.of(GlockName.inode(30), GlockState.EX),
                GlockRequest.of(GlockName.inode(10), GlockState.SH),
                GlockRequest.of(GlockName.inode(20), GlockState.EX),
                GlockRequest.of(GlockName.inode(10), GlockState.EX));
        log.clear();
        try (HolderSet set = n1.glocks.acquireOrdered(rs)) {
            assertEquals(3, set.holders().size());
            assertEquals(GlockState.EX, set.get(GlockName.inode(10)).state());
            assertEquals(List.of("n1 lock 2/a EX", "n1 lock 2/14 EX", "n1 lock 2/1e EX"), log);
        }
        assertEquals(0, n1.glocks.find(GlockName.inode(10)).holderCount());
    }

    @Test
    void orderedTryAcquisitionReleasesWhatItTookOnFailure() throws Exception {
        Holder blocker = n2.glocks.acquire(GlockName.inode(20), GlockState.EX);
        assertThrows(GlockTryFailedException.class, () -> n1.glocks.acquireOrdered(GlockState.EX, HolderFlags.TRY,
                List.of(GlockName.inode(30), GlockName.inode(20), GlockName.inode(10))));
        assertEquals(0, n1.glocks.find(GlockName.inode(10)).holderCount());
        assertEquals(null, n1.glocks.find(GlockName.inode(30)), "never reached");
        blocker.close();
    }

    @Test
    void checkCanBeDisabled() throws Exception {
        TestNode n3 = new TestNode(dlm, 3, log, GlockConfig.cluster().withLockOrderCheck(false));
        try (Holder rg = n3.glocks.acquire(GlockName.rgrp(100), GlockState.SH)) {
            n3.glocks.acquire(GlockName.inode(5), GlockState.SH).close();
        }
        n3.close();
    }

    @Test
    void quotaGlocksUsersBeforeGroupsThenById() throws Exception {
        GlockName user10 = GlockName.userQuota(10);
        GlockName group3 = GlockName.groupQuota(3);
        GlockName user2 = GlockName.userQuota(2);
        log.clear();
        try (HolderSet set = n1.glocks.acquireOrdered(GlockState.SH, 0, List.of(group3, user10, user2))) {
            assertEquals(List.of("n1 lock 8/4 PR", "n1 lock 8/14 PR", "n1 lock 8/7 PR"), log);
        }
        try (Holder u = n1.glocks.acquire(user10, GlockState.SH)) {
            n1.glocks.acquire(group3, GlockState.SH).close();
            assertThrows(IllegalStateException.class, () -> n1.glocks.acquire(user2, GlockState.SH));
        }
    }
}
