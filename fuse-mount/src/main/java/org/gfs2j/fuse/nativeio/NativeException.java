package org.gfs2j.fuse.nativeio;

import java.io.IOException;

import org.gfs2j.fuse.protocol.Errno;

/** A failed system call: what was attempted and the errno it returned. */
public final class NativeException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public NativeException(String what, int errno) {
        super(what + ": " + Errno.describe(errno));
        this.errno = errno;
    }

    /** A failure that has no errno of its own (a helper process refused). */
    public NativeException(String message) {
        super(message);
        this.errno = 0;
    }

    public int errno() {
        return errno;
    }
}
