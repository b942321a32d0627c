package org.gfs2j.fuse.session;

import java.io.IOException;

/** The FUSE connection ended (unmounted or aborted); readers stop. */
public final class ChannelClosedException extends IOException {
    private static final long serialVersionUID = 1L;

    public ChannelClosedException(String message) {
        super(message);
    }
}
