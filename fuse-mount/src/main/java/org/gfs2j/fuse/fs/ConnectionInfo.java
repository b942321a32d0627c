package org.gfs2j.fuse.fs;

/**
 * What INIT negotiated, handed to {@link FileSystem#init(ConnectionInfo)}: protocol minor version,
 * the capability bits in effect (kernel offer AND our wish; {@link org.gfs2j.fuse.protocol.Fuse.Init}),
 * request size limits, and the {@link Notifier} of this mount.
 */
public record ConnectionInfo(int protocolMinor, long kernelFlags, long flags, int maxWrite, int maxPages,
                             int maxReadahead, Notifier notifier) {
    public boolean has(long flag) {
        return (flags & flag) != 0;
    }
}
