package org.gfs2j.journal.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.gfs2j.journal.device.BlockDevice;

/** Reads and writes journal blocks by journal index, through the extent map, wrapping at J. */
public final class JournalIo {
    private final BlockDevice device;
    private final JournalExtents extents;
    private final int bsize;

    public JournalIo(BlockDevice device, JournalExtents extents, int bsize) {
        if (bsize < 512 || Integer.bitCount(bsize) != 1) {
            throw new IllegalArgumentException("block size " + bsize + " is not a power of two >= 512");
        }
        for (JournalExtents.Extent e : extents.extents()) {
            if ((e.deviceStart() + e.length()) * bsize > device.size()) {
                throw new IllegalArgumentException("journal extent " + e + " lies past the end of " + device.path());
            }
        }
        this.device = device;
        this.extents = extents;
        this.bsize = bsize;
    }

    public BlockDevice device() {
        return device;
    }

    public JournalExtents extents() {
        return extents;
    }

    public int bsize() {
        return bsize;
    }

    /** J. */
    public long size() {
        return extents.size();
    }

    public long deviceBlock(long index) {
        return extents.deviceBlock(Math.floorMod(index, extents.size()));
    }

    public ByteBuffer readBlock(long index) throws IOException {
        return device.readBlock(deviceBlock(index), bsize);
    }

    /** Reads {@code count} consecutive journal blocks from ring position {@code start} into one buffer. */
    public ByteBuffer readBlocks(long start, int count) throws IOException {
        ByteBuffer buf = device.allocate(count * bsize);
        for (JournalExtents.Run run : extents.runs(start, count)) {
            ByteBuffer part = buf.slice(buf.position(), run.length() * bsize);
            device.read(run.deviceStart() * bsize, part);
            buf.position(buf.position() + run.length() * bsize);
        }
        return buf.flip();
    }

    /**
     * Writes the blocks in {@code blocks} (a multiple of bsize, from position 0 to limit) at ring
     * position {@code start} onwards, one device write per contiguous run.
     */
    public void writeBlocks(long start, ByteBuffer blocks) throws IOException {
        ByteBuffer src = forDevice(device, blocks.duplicate().position(0));
        if (src.remaining() % bsize != 0) {
            throw new IllegalArgumentException("log write of " + src.remaining() + " bytes is not whole blocks");
        }
        int count = src.remaining() / bsize;
        List<JournalExtents.Run> runs = extents.runs(start, count);
        int off = 0;
        for (JournalExtents.Run run : runs) {
            ByteBuffer part = src.slice(off, run.length() * bsize);
            device.write(run.deviceStart() * bsize, part);
            off += run.length() * bsize;
        }
    }

    public void writeBlock(long index, ByteBuffer block) throws IOException {
        device.writeBlock(deviceBlock(index), bsize, forDevice(device, block.duplicate().position(0)));
    }

    /**
     * {@code src} (position to limit) as a buffer the device can transfer: itself for devices
     * without alignment needs, else a copy in a buffer from {@link BlockDevice#allocate}
     * (O_DIRECT wants aligned memory).
     */
    static ByteBuffer forDevice(BlockDevice device, ByteBuffer src) {
        if (device.alignment() <= 1) {
            return src;
        }
        ByteBuffer copy = device.allocate(src.remaining());
        copy.put(src.duplicate()).flip();
        return copy;
    }

    public void flush() throws IOException {
        device.flush();
    }
}
