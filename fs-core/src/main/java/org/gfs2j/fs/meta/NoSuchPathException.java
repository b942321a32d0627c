package org.gfs2j.fs.meta;

import java.io.IOException;

/** A path component does not exist (ENOENT) or is not a directory (ENOTDIR). */
public class NoSuchPathException extends IOException {
    private static final long serialVersionUID = 1L;

    public NoSuchPathException(String message) {
        super(message);
    }
}
