package org.gfs2j.fs.meta;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.gfs2j.journal.device.BlockDevice;

/** A {@link BlockSource} reading straight from a {@link BlockDevice}, without caching. */
public final class DeviceBlockSource implements BlockSource {
    private final BlockDevice device;
    private final int bsize;
    private final long blocks;

    public DeviceBlockSource(BlockDevice device, int bsize) {
        this.device = device;
        this.bsize = bsize;
        this.blocks = device.size() / bsize;
    }

    @Override
    public int blockSize() {
        return bsize;
    }

    @Override
    public long blockCount() {
        return blocks;
    }

    @Override
    public ByteBuffer read(long block) throws IOException {
        if (block < 0 || block >= blocks) {
            throw new IOException("block " + block + " is outside the device (" + blocks + " blocks of " + bsize + " bytes)");
        }
        return device.readBlock(block, bsize).asReadOnlyBuffer();
    }

    public BlockDevice device() {
        return device;
    }
}
