package org.gfs2j.fs.meta;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/** A {@link BlockSource} over another with some bytes XORed in memory: corruption without copying images. */
final class FlippingBlockSource implements BlockSource {
    private final BlockSource base;
    private final Map<Long, byte[]> patched = new HashMap<>();

    FlippingBlockSource(BlockSource base) {
        this.base = base;
    }

    void flip(long block, int offset, int xor) throws IOException {
        byte[] b = patched.get(block);
        if (b == null) {
            ByteBuffer orig = base.read(block);
            b = new byte[orig.limit()];
            orig.get(0, b);
            patched.put(block, b);
        }
        b[offset] ^= (byte) xor;
    }

    @Override
    public int blockSize() {
        return base.blockSize();
    }

    @Override
    public long blockCount() {
        return base.blockCount();
    }

    @Override
    public ByteBuffer read(long block) throws IOException {
        byte[] b = patched.get(block);
        return b == null ? base.read(block) : ByteBuffer.wrap(b.clone()).asReadOnlyBuffer();
    }
}
