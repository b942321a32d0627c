package org.gfs2j.fuse.fs;

/**
 * Receives entries for READDIRPLUS: like {@link DirectorySink} but with the full {@link Entry},
 * which counts as one lookup reference (except for "." and "..") when the reply reaches the
 * kernel. Returns false when the reply is full; the entry just offered was then not sent.
 */
@FunctionalInterface
public interface DirectoryPlusSink {
    boolean add(String name, Entry entry, long nextOffset);
}
