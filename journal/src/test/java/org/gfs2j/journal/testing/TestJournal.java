package org.gfs2j.journal.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.gfs2j.journal.device.BlockDevice;
import org.gfs2j.journal.format.MetaHeader;
import org.gfs2j.journal.format.MetaType;
import org.gfs2j.journal.log.JournalExtents;
import org.gfs2j.journal.log.JournalFormatter;
import org.gfs2j.journal.log.JournalIo;

/**
 * A small journal on an in-memory device for unit tests: device blocks 0..{@link #DEVICE_BLOCKS},
 * the journal split over two extents (so the extent map is exercised), mkfs-style contents.
 * Home blocks for logged metadata are {@link #HOME} onwards.
 */
public final class TestJournal {
    public static final int BSIZE = 4096;
    public static final int DEVICE_BLOCKS = 512;
    public static final long JINODE = 5;
    public static final long HOME = 300;

    private TestJournal() {
    }

    /** Journal blocks 0..split-1 at device 20.., split..J-1 at device 150.. (J at most 130). */
    public static JournalExtents extents(int journalBlocks) {
        int split = journalBlocks * 2 / 3;
        return new JournalExtents(List.of(
                new JournalExtents.Extent(0, 20, split),
                new JournalExtents.Extent(split, 150, journalBlocks - split)));
    }

    public static JournalIo format(BlockDevice device, int journalBlocks, long startSequence) throws IOException {
        JournalIo io = new JournalIo(device, extents(journalBlocks), BSIZE);
        JournalFormatter.format(io, JINODE, startSequence);
        return io;
    }

    /** A dinode-typed metadata block image carrying {@code value} at byte 100 (and a fill pattern). */
    public static ByteBuffer meta(long value) {
        ByteBuffer b = ByteBuffer.allocate(BSIZE).order(ByteOrder.BIG_ENDIAN);
        MetaHeader.encode(b, MetaType.DI);
        b.putLong(100, value);
        for (int i = 200; i < BSIZE; i += 64) {
            b.putLong(i, value * 31 + i);
        }
        return b;
    }

    /** The value {@link #meta} put in block {@code block} of the device, or -1 for a non-metadata block. */
    public static long valueAt(BlockDevice device, long block) throws IOException {
        ByteBuffer b = device.readBlock(block, BSIZE);
        return MetaHeader.typeOf(b, 0) == MetaType.DI ? b.getLong(100) : -1;
    }
}
