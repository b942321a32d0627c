package org.gfs2j.fuse.lock;

import org.gfs2j.fuse.fs.Context;
import org.gfs2j.fuse.fs.ErrnoException;
import org.gfs2j.fuse.fs.FileLock;

/**
 * Advisory file locks of one file system: POSIX/OFD byte-range locks (fcntl, lockf) and flock locks,
 * keyed by node id and the kernel's opaque lock owner. {@link LocalLockTable} holds them in this
 * process; a cluster implementation (DLM-backed) replaces it behind the same interface.
 */
public interface LockTable {
    /** GETLK: the first lock of another owner that conflicts with {@code lock}, else {@link FileLock#unlocked()}. */
    FileLock test(long nodeid, long owner, FileLock lock);

    /**
     * SETLK/SETLKW: acquire, convert or (F_UNLCK) release a byte range for {@code owner}.
     * On conflict: EAGAIN if {@code wait} is false, else wait until granted; EINTR if the request is
     * interrupted while waiting.
     */
    void lock(Context ctx, long nodeid, long owner, FileLock lock, boolean wait) throws ErrnoException;

    /** flock(2): F_RDLCK = shared, F_WRLCK = exclusive, F_UNLCK = unlock. Whole file, owner = open file. */
    void flock(Context ctx, long nodeid, long owner, int type, boolean wait) throws ErrnoException;

    /** Drops every POSIX lock {@code owner} holds on {@code nodeid} (FLUSH: a descriptor was closed). */
    void releasePosix(long nodeid, long owner);

    /** Drops the flock lock of {@code owner} (RELEASE with FUSE_RELEASE_FLOCK_UNLOCK). */
    void releaseFlock(long nodeid, long owner);
}
