package org.gfs2j.fs.meta;

import java.io.IOException;

/** The device holds no GFS2 superblock at byte 65536. */
public class NotGfs2Exception extends IOException {
    private static final long serialVersionUID = 1L;

    public NotGfs2Exception(String message) {
        super(message);
    }
}
