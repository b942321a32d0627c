package org.gfs2j.fuse.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.gfs2j.fuse.fs.Context;
import org.gfs2j.fuse.fs.ErrnoException;
import org.gfs2j.fuse.fs.FileLock;
import org.gfs2j.fuse.protocol.Errno;
import org.gfs2j.fuse.protocol.Fuse;
import org.junit.jupiter.api.Test;

class LocalLockTableTest {
    private static final long N = 5;
    private final LocalLockTable t = new LocalLockTable();

    /** A context whose interrupt the test can trigger. */
    static final class Ctx implements Context {
        private final int pid;
        private final List<Runnable> actions = new ArrayList<>();
        private boolean interrupted;

        Ctx(int pid) {
            this.pid = pid;
        }

        public int uid() {
            return 0;
        }

        public int gid() {
            return 0;
        }

        public int pid() {
            return pid;
        }

        public long unique() {
            return 0;
        }

        public synchronized boolean isInterrupted() {
            return interrupted;
        }

        public void onInterrupt(Runnable a) {
            synchronized (this) {
                if (!interrupted) {
                    actions.add(a);
                    return;
                }
            }
            a.run();
        }

        void interrupt() {
            List<Runnable> run;
            synchronized (this) {
                interrupted = true;
                run = new ArrayList<>(actions);
            }
            run.forEach(Runnable::run);
        }
    }

    private static FileLock lk(long s, long e, int type, int pid) {
        return new FileLock(s, e, type, pid);
    }

    private int errno(ThrowingRunnable r) {
        return assertThrows(ErrnoException.class, r::run).errno();
    }

    interface ThrowingRunnable extends org.junit.jupiter.api.function.Executable {
        default void run() throws Throwable {
            execute();
        }
    }

    @Test
    void readLocksShareWriteLocksConflict() throws Exception {
        t.lock(new Ctx(1), N, 1, lk(0, 99, Fuse.F_RDLCK, 1), false);
        t.lock(new Ctx(2), N, 2, lk(50, 149, Fuse.F_RDLCK, 2), false);
        assertEquals(Errno.EAGAIN, errno(() -> t.lock(new Ctx(3), N, 3, lk(90, 95, Fuse.F_WRLCK, 3), false)));
        t.lock(new Ctx(3), N, 3, lk(150, 200, Fuse.F_WRLCK, 3), false);
        FileLock c = t.test(N, 4, lk(120, 160, Fuse.F_RDLCK, 0));
        assertEquals(Fuse.F_WRLCK, c.type());
        assertEquals(150, c.start());
        assertEquals(200, c.end());
        assertEquals(3, c.pid());
        assertEquals(Fuse.F_UNLCK, t.test(N, 3, lk(150, 160, Fuse.F_WRLCK, 0)).type(), "own locks never conflict");
    }

    @Test
    void unlockInTheMiddleSplitsAndSameTypeMerges() throws Exception {
        Ctx c = new Ctx(1);
        t.lock(c, N, 1, lk(0, 99, Fuse.F_WRLCK, 1), false);
        t.lock(c, N, 1, lk(40, 59, Fuse.F_UNLCK, 1), false);
        assertEquals(2, t.posixLockCount(N));
        t.lock(new Ctx(2), N, 2, lk(40, 59, Fuse.F_WRLCK, 2), false);
        t.lock(new Ctx(2), N, 2, lk(40, 59, Fuse.F_UNLCK, 2), false);
        t.lock(c, N, 1, lk(40, 59, Fuse.F_WRLCK, 1), false);
        assertEquals(1, t.posixLockCount(N), "adjacent ranges of one owner merge");
        // converting part of a write lock to read lets another reader in there only
        t.lock(c, N, 1, lk(0, 9, Fuse.F_RDLCK, 1), false);
        t.lock(new Ctx(2), N, 2, lk(0, 9, Fuse.F_RDLCK, 2), false);
        assertEquals(Errno.EAGAIN, errno(() -> t.lock(new Ctx(2), N, 2, lk(10, 10, Fuse.F_RDLCK, 2), false)));
        t.releasePosix(N, 1);
        t.lock(new Ctx(2), N, 2, lk(0, Fuse.OFFSET_MAX, Fuse.F_WRLCK, 2), false);
    }

    @Test
    void lockToEndOfFileMerges() throws Exception {
        Ctx c = new Ctx(1);
        t.lock(c, N, 1, lk(100, Fuse.OFFSET_MAX, Fuse.F_WRLCK, 1), false);
        t.lock(c, N, 1, lk(0, 99, Fuse.F_WRLCK, 1), false);
        assertEquals(1, t.posixLockCount(N));
        assertEquals(0, t.test(N, 2, lk(5, 5, Fuse.F_RDLCK, 0)).start());
        assertEquals(Fuse.OFFSET_MAX, t.test(N, 2, lk(5, 5, Fuse.F_RDLCK, 0)).end());
    }

    @Test
    void blockedWaiterIsGrantedOnUnlock() throws Exception {
        t.lock(new Ctx(1), N, 1, lk(0, 10, Fuse.F_WRLCK, 1), false);
        CompletableFuture<Void> w = CompletableFuture.runAsync(() -> {
            try {
                t.lock(new Ctx(2), N, 2, lk(5, 5, Fuse.F_WRLCK, 2), true);
            } catch (ErrnoException e) {
                throw new IllegalStateException(e);
            }
        });
        assertFalse(w.isDone());
        t.lock(new Ctx(1), N, 1, lk(0, 10, Fuse.F_UNLCK, 0), false);
        w.get(10, TimeUnit.SECONDS);
        assertEquals(2, t.test(N, 1, lk(0, 10, Fuse.F_RDLCK, 0)).pid());
    }

    @Test
    void interruptEndsAWaitWithEintr() throws Exception {
        t.flock(new Ctx(1), N, 1, Fuse.F_WRLCK, false);
        Ctx waiter = new Ctx(2);
        CompletableFuture<Integer> w = CompletableFuture.supplyAsync(() -> {
            try {
                t.flock(waiter, N, 2, Fuse.F_RDLCK, true);
                return 0;
            } catch (ErrnoException e) {
                return e.errno();
            }
        });
        waiter.interrupt();
        assertEquals(Errno.EINTR, w.get(10, TimeUnit.SECONDS));
        t.flock(new Ctx(1), N, 1, Fuse.F_UNLCK, false);
        t.flock(new Ctx(3), N, 3, Fuse.F_WRLCK, false);
    }

    @Test
    void flockSemantics() throws Exception {
        t.flock(new Ctx(1), N, 1, Fuse.F_RDLCK, false);
        t.flock(new Ctx(2), N, 2, Fuse.F_RDLCK, false);
        assertEquals(Errno.EAGAIN, errno(() -> t.flock(new Ctx(3), N, 3, Fuse.F_WRLCK, false)));
        // a failed non-blocking upgrade drops the old lock first, as Linux does
        assertEquals(Errno.EAGAIN, errno(() -> t.flock(new Ctx(1), N, 1, Fuse.F_WRLCK, false)));
        t.releaseFlock(N, 2);
        t.flock(new Ctx(3), N, 3, Fuse.F_WRLCK, false);
        // flock and POSIX locks are independent
        t.lock(new Ctx(4), N, 4, lk(0, Fuse.OFFSET_MAX, Fuse.F_WRLCK, 4), false);
        assertTrue(t.posixLockCount(N) == 1);
    }
}
