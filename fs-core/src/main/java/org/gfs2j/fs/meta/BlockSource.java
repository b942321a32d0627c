package org.gfs2j.fs.meta;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where the read path gets file-system blocks from. The offline tools read the device directly
 * ({@link DeviceBlockSource}); the mounted file system later puts its buffer cache and glocks
 * behind the same interface.
 *
 * <p>{@link #read} returns a big-endian buffer of exactly {@link #blockSize()} bytes, position 0.
 * Callers must not modify it (implementations may hand out cached, read-only buffers).
 */
public interface BlockSource {

    int blockSize();

    /** Number of blocks on the device; valid block numbers are 0 .. blockCount-1. */
    long blockCount();

    /** Reads block {@code block}; a number outside the device is an IOException. */
    ByteBuffer read(long block) throws IOException;
}
