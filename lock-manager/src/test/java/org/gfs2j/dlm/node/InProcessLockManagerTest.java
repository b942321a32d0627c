package org.gfs2j.dlm.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.gfs2j.dlm.Completion;
import org.gfs2j.dlm.DlmException;
import org.gfs2j.dlm.DlmStatus;
import org.gfs2j.dlm.LockCallbacks;
import org.gfs2j.dlm.LockMode;
import org.gfs2j.dlm.LockWaiter;
import org.gfs2j.dlm.Lockspace;
import org.junit.jupiter.api.Test;

/** The single-node lock manager through its thread-safe facade. */
class InProcessLockManagerTest {
    static final Duration T = Duration.ofSeconds(10);

    @Test
    void callbacksMayCallBackIntoTheLockspace() throws Exception {
        try (InProcessLockManager lm = new InProcessLockManager()) {
            Lockspace ls = lm.openLockspace("fs");
            assertSame(ls, lm.openLockspace("fs"));
            CompletableFuture<String> done = new CompletableFuture<>();
            ls.lock("r".getBytes(), LockMode.EX, 0, new LockCallbacks() {
                @Override
                public void completed(Completion c) {
                    if (c.status() == DlmStatus.OK) {
                        ls.unlock(c.lockId(), 0, null); // re-entrant call from the callback thread
                    } else {
                        done.complete(DlmStatus.name(c.status()));
                    }
                }
            });
            assertEquals("EUNLOCK", done.get(10, TimeUnit.SECONDS));
            assertTrue(lm.dump().contains("Resource \"r\""), lm.dump());
        }
    }

    @Test
    void errorsAreThrownToTheCaller() {
        try (InProcessLockManager lm = new InProcessLockManager()) {
            Lockspace ls = lm.openLockspace("fs");
            assertEquals(DlmStatus.EINVAL, assertThrows(DlmException.class, () -> ls.unlock(12345, 0, null)).status());
            Completion c = LockWaiter.lock(ls, "a".getBytes(), LockMode.PR, 0, new LockWaiter(), T);
            assertEquals(DlmStatus.OK, c.status());
            Completion refused = LockWaiter.lock(ls, "a".getBytes(), LockMode.EX, org.gfs2j.dlm.LockFlags.NOQUEUE, new LockWaiter(), T);
            assertEquals(DlmStatus.EAGAIN, refused.status());
        }
    }
}
