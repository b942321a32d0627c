package org.gfs2j.fuse.fs;

import java.io.IOException;

/** A notification the kernel refused (other than ENOENT), or the connection is gone. */
public final class NotifyException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public NotifyException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
