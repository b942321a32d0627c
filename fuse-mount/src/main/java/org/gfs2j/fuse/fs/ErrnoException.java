package org.gfs2j.fuse.fs;

import org.gfs2j.fuse.protocol.Errno;

/**
 * A file-system operation failed with a POSIX error; the dispatcher answers the kernel with
 * {@code -errno}. Stack traces are not captured: this is an ordinary answer, not a crash.
 */
public class ErrnoException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public ErrnoException(int errno) {
        this(errno, null);
    }

    public ErrnoException(int errno, String detail) {
        super(detail == null ? Errno.describe(errno) : Errno.describe(errno) + ": " + detail, null, false, false);
        if (errno <= 0 || errno > 511) {
            throw new IllegalArgumentException("errno must be in 1..511: " + errno);
        }
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
