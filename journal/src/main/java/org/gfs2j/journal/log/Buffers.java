package org.gfs2j.journal.log;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Block-image copies: the log keeps its own copy of everything it is handed. */
final class Buffers {
    private Buffers() {
    }

    /** A private big-endian copy of bytes 0..bsize of {@code image}. */
    static ByteBuffer copyOf(ByteBuffer image, int bsize) {
        ByteBuffer src = image.duplicate().position(0);
        if (src.limit() != bsize) {
            throw new IllegalArgumentException("block image is " + src.limit() + " bytes, block size " + bsize);
        }
        ByteBuffer copy = ByteBuffer.allocate(bsize).order(ByteOrder.BIG_ENDIAN);
        copy.put(src).flip();
        return copy;
    }
}
