package org.gfs2j.journal.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.gfs2j.journal.device.BlockDevice;

/**
 * File data a transaction's metadata points at (data=ordered). Before the log writes the flush
 * that commits the transaction, it calls {@link #writeOut()} for every ordered item of the flush
 * and then flushes the device once, so the data is durable before any commit that references it.
 * fs-core implements this over its page cache (write the inode's dirty pages in the range).
 */
@FunctionalInterface
public interface OrderedData {
    /** Writes the data to the device (need not be durable yet: the log flushes the device next). */
    void writeOut() throws IOException;

    /** One data block written in place from a private copy of {@code data}. */
    static OrderedData block(BlockDevice device, int bsize, long block, ByteBuffer data) {
        ByteBuffer copy = JournalIo.forDevice(device, Buffers.copyOf(data, bsize));
        return () -> device.writeBlock(block, bsize, copy);
    }
}
