package org.gfs2j.fs.glock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.gfs2j.dlm.LockMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Spec 4.12: during journal recovery, new DLM grants are parked unless the holder has NOEXP. */
class RecoveryHoldBackTest {
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final FakeDlm dlm = new FakeDlm(32, log);
    private final TestNode n1 = new TestNode(dlm, 1, log, GlockConfig.cluster());

    @AfterEach
    void close() {
        n1.close();
    }

    @Test
    void grantsAreHeldBackUntilRecoveryEnds() throws Exception {
        GlockName cached = GlockName.inode(0x70);
        n1.glocks.acquire(cached, GlockState.EX).close();
        n1.glocks.blockLocks();
        Holder fresh = n1.glocks.enqueue(GlockName.inode(0x71), GlockState.EX, 0);
        assertTrue(fresh.isWaiting());
        assertEquals(LockMode.EX, dlm.grantedMode(1, GlockName.inode(0x71)), "the DLM granted it");
        String line = n1.glocks.find(GlockName.inode(0x71)).dump().lines().findFirst().orElseThrow();
        String flags = line.substring(line.indexOf(" f:") + 3, line.indexOf(" t:"));
        assertTrue(flags.contains("f"), "parked grant shown in the dump: " + line);
        Holder recovery = n1.glocks.acquire(GlockName.journal(2), GlockState.EX, HolderFlags.NOEXP | HolderFlags.TRY);
        assertTrue(recovery.isGranted(), "NOEXP holders proceed");
        Holder local = n1.glocks.acquire(cached, GlockState.EX);
        assertTrue(local.isGranted(), "locks already granted keep working");
        local.close();
        recovery.close();
        n1.glocks.unblockLocks();
        assertTrue(fresh.isGranted());
        fresh.close();
    }
}
