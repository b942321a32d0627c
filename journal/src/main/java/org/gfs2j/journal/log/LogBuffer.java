package org.gfs2j.journal.log;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The body of one flush, assembled in memory block by block before it is written in one go. */
final class LogBuffer {
    private final ByteBuffer buf;
    private final int bsize;
    private int blocks;

    LogBuffer(int capacityBlocks, int bsize) {
        this.buf = ByteBuffer.allocate(capacityBlocks * bsize).order(ByteOrder.BIG_ENDIAN);
        this.bsize = bsize;
    }

    /** The next block of the body, zeroed, as a big-endian buffer of bsize bytes. */
    ByteBuffer nextBlock() {
        if ((blocks + 1) * bsize > buf.capacity()) {
            throw new IllegalStateException("log body exceeds the " + buf.capacity() / bsize + " blocks computed for it");
        }
        ByteBuffer b = buf.slice(blocks * bsize, bsize).order(ByteOrder.BIG_ENDIAN);
        blocks++;
        return b;
    }

    int blocks() {
        return blocks;
    }

    int bsize() {
        return bsize;
    }

    /** The blocks written so far, position 0 to their end. */
    ByteBuffer contents() {
        return buf.slice(0, blocks * bsize);
    }
}
