package org.gfs2j.fs.vfs;

import java.io.IOException;

/**
 * A file-system operation failed with a POSIX error number; the mount layer answers the kernel
 * with {@code -errno}. Ordinary answers (ENOENT, EROFS, ENODATA) carry no stack trace.
 */
public final class FsException extends IOException {
    private static final long serialVersionUID = 1L;

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EIO = 5;
    public static final int E2BIG = 7;
    public static final int EBADF = 9;
    public static final int EACCES = 13;
    public static final int EEXIST = 17;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int EROFS = 30;
    public static final int EMLINK = 31;
    public static final int ERANGE = 34;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOSYS = 38;
    public static final int ENOTEMPTY = 39;
    public static final int ENODATA = 61;
    public static final int EOPNOTSUPP = 95;
    public static final int ESTALE = 116;

    private final int errno;

    public FsException(int errno, String message) {
        super(message, null);
        if (errno <= 0 || errno > 511) {
            throw new IllegalArgumentException("errno must be in 1..511: " + errno);
        }
        this.errno = errno;
    }

    /** EIO caused by {@code cause} (corrupt metadata, a device error), which the message names. */
    public FsException(String message, Throwable cause) {
        super(message, cause);
        this.errno = EIO;
    }

    public int errno() {
        return errno;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return errno == EIO ? super.fillInStackTrace() : this;
    }

    static FsException readOnly() {
        return new FsException(EROFS, "the file system is mounted read-only");
    }
}
