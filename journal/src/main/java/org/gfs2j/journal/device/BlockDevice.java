package org.gfs2j.journal.device;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The shared storage a GFS2 file system lives on: an image file or a block device. Offsets are in
 * bytes and, for devices opened with O_DIRECT, must be multiples of {@link #alignment()}, as must
 * the transfer lengths. Reads and writes transfer the buffer's remaining bytes completely or
 * throw.
 */
public interface BlockDevice extends Closeable {

    Path path();

    /** Size in bytes. */
    long size();

    /** The granularity offsets, lengths and buffer addresses must respect (1 for image files). */
    int alignment();

    boolean isReadOnly();

    /** Reads {@code dst.remaining()} bytes at {@code offset}; throws EOFException past the end. */
    void read(long offset, ByteBuffer dst) throws IOException;

    /** Writes {@code src.remaining()} bytes at {@code offset}. */
    void write(long offset, ByteBuffer src) throws IOException;

    /** Makes every completed write durable (fdatasync). */
    void flush() throws IOException;

    /** A buffer suitable for transfers with this device: aligned for O_DIRECT, big-endian. */
    ByteBuffer allocate(int bytes);

    /** Reads block {@code block} of size {@code bsize} into a new buffer positioned at 0. */
    default ByteBuffer readBlock(long block, int bsize) throws IOException {
        ByteBuffer buf = allocate(bsize);
        read(block * bsize, buf);
        return buf.flip();
    }

    /** Writes the whole of {@code data} (position 0 to limit) as block {@code block}. */
    default void writeBlock(long block, int bsize, ByteBuffer data) throws IOException {
        ByteBuffer src = data.duplicate().position(0);
        if (src.remaining() != bsize) {
            throw new IllegalArgumentException("block buffer is " + src.remaining() + " bytes, block size " + bsize);
        }
        write(block * bsize, src);
    }
}
