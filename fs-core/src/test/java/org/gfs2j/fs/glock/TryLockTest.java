package org.gfs2j.fs.glock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TryLockTest {
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final FakeDlm dlm = new FakeDlm(32, log);
    private final TestNode n1 = new TestNode(dlm, 1, log, GlockConfig.cluster());
    private final TestNode n2 = new TestNode(dlm, 2, log, GlockConfig.cluster());
    private final GlockName jrnl = GlockName.journal(1);

    @AfterEach
    void close() {
        n1.close();
        n2.close();
    }

    @Test
    void tryLockRefusedByAnotherNodeFailsWithoutDisturbingIt() throws Exception {
        Holder owner = n2.glocks.acquire(jrnl, GlockState.EX, HolderFlags.NOEXP | HolderFlags.NOCACHE);
        assertThrows(GlockTryFailedException.class,
                () -> n1.glocks.acquire(jrnl, GlockState.EX, HolderFlags.TRY | HolderFlags.NOEXP));
        assertEquals(0, n2.glocks.find(jrnl).blockingCallbacks(), "plain TRY sends no callback");
        assertNull(n2.glocks.find(jrnl).pendingDemote());
        assertEquals(0, n1.glocks.find(jrnl).lockId(), "the refused new lock does not exist");
        assertEquals(0, n1.glocks.find(jrnl).holderCount());
        owner.close();
        n2.worker.runAll(); // NOCACHE: node 2 gives it up
        Holder recovered = n1.glocks.acquire(jrnl, GlockState.EX, HolderFlags.TRY | HolderFlags.NOEXP);
        assertTrue(recovered.isGranted());
        recovered.close();
    }

    @Test
    void tryOneCallbackGivesTheHolderOneCallback() throws Exception {
        GlockName ino = GlockName.inode(0x50);
        Holder h = n2.glocks.acquire(ino, GlockState.SH);
        assertThrows(GlockTryFailedException.class, () -> n1.glocks.acquire(ino, GlockState.EX, HolderFlags.TRY_1CB));
        assertEquals(1, n2.glocks.find(ino).blockingCallbacks());
        assertEquals(GlockState.UN, n2.glocks.find(ino).pendingDemote());
        h.close();
    }

    @Test
    void tryLockThatWouldWaitForALocalHolderFailsAtOnce() throws Exception {
        GlockName ino = GlockName.inode(0x51);
        Holder ex = n1.glocks.acquire(ino, GlockState.EX);
        int calls = log.size();
        Holder t = n1.glocks.enqueue(ino, GlockState.EX, HolderFlags.TRY);
        assertTrue(t.isFailed());
        assertThrows(GlockTryFailedException.class, t::await);
        assertEquals(calls, log.size(), "no DLM call for it");
        ex.close();
    }

    @Test
    void queuedTryLocksFailWhenADemoteStarts() throws Exception {
        GlockName ino = GlockName.inode(0x52);
        Holder ex = n1.glocks.acquire(ino, GlockState.EX);
        Holder waiter = n1.glocks.enqueue(ino, GlockState.EX, 0);
        Holder t = n1.glocks.enqueue(ino, GlockState.SH, HolderFlags.TRY);
        assertTrue(t.isFailed(), "granted EX holder blocks it");
        assertTrue(waiter.isWaiting());
        ex.close();
        assertTrue(waiter.isGranted());
        waiter.close();
        assertFalse(t.isGranted());
    }
}
