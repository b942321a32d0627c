package org.gfs2j.fs.glock;

import java.io.IOException;

/** A glock could not be acquired (try lock refused, shut down, or the refresh failed). */
public class GlockException extends IOException {
    private static final long serialVersionUID = 1L;

    public GlockException(String message) {
        super(message);
    }

    public GlockException(String message, Throwable cause) {
        super(message, cause);
    }
}
