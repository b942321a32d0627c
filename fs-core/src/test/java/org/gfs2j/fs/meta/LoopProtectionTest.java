package org.gfs2j.fs.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.gfs2j.fs.inspect.Listing;
import org.gfs2j.fs.inspect.ManifestWriter;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.ondisk.Dirent;
import org.gfs2j.fs.ondisk.Leaf;
import org.gfs2j.fs.testing.KernelImages;
import org.gfs2j.journal.device.BlockDevice;
import org.gfs2j.journal.device.BlockDevices;
import org.gfs2j.journal.format.CorruptMetadataException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Cycles a corrupt image can contain end in a CorruptMetadataException, not a hang. */
class LoopProtectionTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private BlockDevice dev;
    private DeviceBlockSource clean;
    private FileSystemReader cleanFs;

    @BeforeEach
    void open() throws Exception {
        dev = BlockDevices.open(KernelImages.get("kernel-4k"), true, 0);
        clean = new DeviceBlockSource(dev, 4096);
        cleanFs = new FileSystemReader(clean, null);
    }

    @AfterEach
    void close() throws IOException {
        dev.close();
    }

    /** Overwrites the u64 at {@code off} of {@code block} with {@code value} through XOR flips. */
    private void setLong(FlippingBlockSource src, long block, int off, long value) throws IOException {
        long old = clean.read(block).getLong(off);
        long diff = old ^ value;
        for (int i = 0; i < 8; i++) {
            int x = (int) (diff >>> (56 - 8 * i)) & 0xff;
            if (x != 0) {
                src.flip(block, off + i, x);
            }
        }
    }

    @Test
    void leafChainPointingAtItself() throws Exception {
        List<Long> leaves = cleanFs.directory(cleanFs.resolve("/tree/big")).leafBlocks();
        long leaf = leaves.get(0);
        FlippingBlockSource src = new FlippingBlockSource(clean);
        setLong(src, leaf, Leaf.OFF_NEXT, leaf);
        FileSystemReader fs = new FileSystemReader(src, null);
        CorruptMetadataException e = assertTimeoutPreemptively(LIMIT,
                () -> assertThrows(CorruptMetadataException.class, () -> fs.directory(fs.resolve("/tree/big")).list()));
        assertEquals(leaf, e.block());
        assertEquals("lf_next", e.field());
        assertTrue(e.getMessage().contains("reached twice"), e.getMessage());
    }

    @Test
    void hashTableRunDisagreeingWithLeafDepth() throws Exception {
        Inode big = cleanFs.resolve("/tree/big");
        assertEquals(0, big.dinode().height(), "the 4K image keeps this table stuffed");
        long[] table = cleanFs.directory(big).hashTable();
        int i = 0;
        while (table[i] != table[i + 1]) {
            i++;
        }
        long other = table[i] == table[0] ? table[table.length - 1] : table[0];
        FlippingBlockSource src = new FlippingBlockSource(clean);
        setLong(src, big.addr(), Dinode.PAYLOAD_OFFSET + 8 * (i + 1), other);
        FileSystemReader fs = new FileSystemReader(src, null);
        CorruptMetadataException e = assertThrows(CorruptMetadataException.class, () -> fs.directory(fs.resolve("/tree/big")).list());
        assertEquals(big.addr(), e.block());
        assertEquals("table[" + (i + 1) + "]", e.field());
    }

    @Test
    void directoryEntryPointingAtAnAncestor() throws Exception {
        Inode c = cleanFs.resolve("/tree/a/b/c");
        Inode a = cleanFs.resolve("/tree/a");
        int off = -1;
        for (Dirent.Located l : Dirent.walk(c.block(), Dinode.PAYLOAD_OFFSET, c.addr())) {
            if (l.dirent().nameString().equals("64k1")) {
                off = l.offset();
            }
        }
        FlippingBlockSource src = new FlippingBlockSource(clean);
        setLong(src, c.addr(), off + Dirent.OFF_INUM, a.dinode().num().formalIno());
        setLong(src, c.addr(), off + Dirent.OFF_INUM + 8, a.addr());
        FileSystemReader fs = new FileSystemReader(src, null);
        assertTimeoutPreemptively(LIMIT, () -> {
            CorruptMetadataException e = assertThrows(CorruptMetadataException.class,
                    () -> new Listing(fs, true, true, s -> { }).list("/"));
            assertTrue(e.getMessage().contains("directory reached a second time"), e.getMessage());
            e = assertThrows(CorruptMetadataException.class, () -> new ManifestWriter(fs).manifest());
            assertTrue(e.getMessage().contains("directory reached a second time"), e.getMessage());
        });
    }

    @Test
    void indirectBlockReferencedTwice() throws Exception {
        Inode f = cleanFs.resolve("/tree/5m3");
        long first = Dinode.pointer(f.block(), 0);
        FlippingBlockSource src = new FlippingBlockSource(clean);
        setLong(src, f.addr(), Dinode.PAYLOAD_OFFSET + 8, first);
        FileSystemReader fs = new FileSystemReader(src, null);
        CorruptMetadataException e = assertThrows(CorruptMetadataException.class,
                () -> fs.fileMap(fs.resolve("/tree/5m3")).extents());
        assertEquals(f.addr(), e.block());
        assertEquals("di_ptr[1]", e.field());
    }

    @Test
    void hugeSizeBeyondTheTreeIsRejectedBeforeAnyRead() throws Exception {
        Inode f = cleanFs.resolve("/tree/1m");
        FlippingBlockSource src = new FlippingBlockSource(clean);
        setLong(src, f.addr(), Dinode.OFF_SIZE, Long.MAX_VALUE);
        FileSystemReader fs = new FileSystemReader(src, null);
        CorruptMetadataException e = assertThrows(CorruptMetadataException.class, () -> fs.file(fs.resolve("/tree/1m")));
        assertEquals("di_size", e.field());
    }
}
