package org.gfs2j.fs.dir;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where a {@link DirectoryWriter} reads, writes, allocates and frees blocks. mkfs backs it with
 * an in-memory image; the file system backs it with its transaction and allocator.
 */
public interface DirBlockIo {
    /** The current content of {@code block} (a fresh copy or a buffer the caller may modify and then {@link #write}). */
    ByteBuffer read(long block) throws IOException;

    /** Replaces the content of {@code block}. */
    void write(long block, ByteBuffer data) throws IOException;

    /** Allocates one block (bitmap state USED) for directory metadata (leaf, JD, indirect), near {@code goal}. */
    long allocate(long goal) throws IOException;

    /** Returns a block allocated with {@link #allocate} to the free state. */
    void free(long block) throws IOException;
}
