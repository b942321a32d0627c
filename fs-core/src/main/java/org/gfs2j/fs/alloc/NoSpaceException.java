package org.gfs2j.fs.alloc;

import java.io.IOException;

/** ENOSPC: the request does not fit in the free space; nothing was modified. */
public final class NoSpaceException extends IOException {
    private final long requested;
    private final long available;

    public NoSpaceException(long requested, long available) {
        super("no space left on device: " + requested + " blocks requested, " + available + " available");
        this.requested = requested;
        this.available = available;
    }

    public long requested() {
        return requested;
    }

    public long available() {
        return available;
    }
}
