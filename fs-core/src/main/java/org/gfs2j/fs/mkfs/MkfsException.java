package org.gfs2j.fs.mkfs;

import java.io.IOException;

/** The file system cannot be made as asked (device too small, ...); the message says why. */
public class MkfsException extends IOException {
    private static final long serialVersionUID = 1L;

    public MkfsException(String message) {
        super(message);
    }
}
