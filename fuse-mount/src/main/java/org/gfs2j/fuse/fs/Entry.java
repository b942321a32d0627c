package org.gfs2j.fuse.fs;

import java.time.Duration;

/**
 * A name resolved to an inode ({@code fuse_entry_out}). {@code nodeid} 0 is a negative entry
 * (the name does not exist; cached for {@code entryTimeout}). Every positive Entry the dispatcher
 * sends to the kernel counts one lookup reference, returned later through
 * {@link FileSystem#forget(long)}.
 */
public record Entry(long nodeid, long generation, Duration entryTimeout, Duration attrTimeout, Attr attr) {
    /** A negative entry cached for {@code timeout}; needs a placeholder attr of zeros on the wire. */
    public static Entry negative(Duration timeout) {
        return new Entry(0, 0, timeout, Duration.ZERO, null);
    }
}
