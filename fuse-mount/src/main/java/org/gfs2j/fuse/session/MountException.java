package org.gfs2j.fuse.session;

import java.io.IOException;

/** Mounting failed; the message says why in one line (mountpoint missing, not root, ...). */
public final class MountException extends IOException {
    private static final long serialVersionUID = 1L;

    public MountException(String message) {
        super(message);
    }

    public MountException(String message, Throwable cause) {
        super(message, cause);
    }
}
