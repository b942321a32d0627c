package org.gfs2j.fuse.fs;

/**
 * Receives directory entries for READDIR. {@code nextOffset} is the stable, non-zero cookie of the
 * position after this entry. Returns false when the reply is full: stop, the kernel will ask again
 * from the last accepted cookie.
 */
@FunctionalInterface
public interface DirectorySink {
    boolean add(String name, long ino, int mode, long nextOffset);
}
