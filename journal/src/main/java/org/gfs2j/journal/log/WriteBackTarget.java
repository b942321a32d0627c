package org.gfs2j.journal.log;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where committed blocks are written in place ("write-back" of the active items list). fs-core
 * plugs in its buffer cache (which then also learns that a block is clean); the default writes
 * straight to the device. The image given is the one the log committed, never a newer one.
 */
public interface WriteBackTarget {
    /** Writes {@code image} (bsize bytes, position 0 to limit) as block {@code block}. */
    void writeBack(long block, ByteBuffer image) throws IOException;

    /** Makes every block written back so far durable; the log tail moves only after this. */
    void sync() throws IOException;
}
