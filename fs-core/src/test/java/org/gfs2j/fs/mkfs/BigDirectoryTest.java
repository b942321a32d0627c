package org.gfs2j.fs.mkfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.gfs2j.fs.dir.DirectoryWriter;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.ondisk.Dirent;
import org.gfs2j.fs.ondisk.Inum;
import org.gfs2j.fs.ondisk.Leaf;
import org.gfs2j.fs.testing.Gfs2Tools;
import org.gfs2j.fs.testing.ImageReader;
import org.gfs2j.journal.device.BlockDevice;
import org.gfs2j.journal.device.BlockDevices;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * DirectoryWriter on large directories, judged by fsck.gfs2: linear → exhash conversion, splits,
 * table doubling, the table moving from the dinode into JD blocks and (512-byte blocks) under
 * indirect blocks.
 */
class BigDirectoryTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"4096, 3000, 0", "1024, 3000, 1", "512, 8000, 2"})
    void manyEntriesInRoot(int bsize, int count, int expectedTableHeight) throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = Gfs2Tools.sparseFile(dir, "img", 256L << 20);
        MkfsOptions o = MkfsOptions.defaults().withBlockSize(bsize);
        try (BlockDevice dev = BlockDevices.open(img, false, 0)) {
            Mkfs.format(dev, o, 1_700_000_000L, (mkfs, root) -> {
                for (int i = 0; i < count; i++) {
                    mkfs.addEmptyFile(root, "file-with-a-long-name-" + i);
                }
                DirectoryWriter dw = mkfs.directories();
                assertThrows(FileAlreadyExistsException.class,
                        () -> dw.add(root.addr(), "file-with-a-long-name-7", new Inum(1, 2), Dirent.DT_REG));
                assertNotNull(dw.lookup(root.addr(), "file-with-a-long-name-" + (count - 1)));
                assertEquals(count + 2, dw.list(root.addr()).size());
            });
        }
        Gfs2Tools.assertFsckClean(img);
        try (ImageReader r = new ImageReader(img)) {
            long rootAddr = r.sb.rootDir().addr();
            Dinode root = r.dinode(rootAddr);
            assertTrue(root.isExhashDir());
            assertEquals(count + 2, root.entries());
            assertEquals(expectedTableHeight, root.height());
            Set<String> names = new HashSet<>();
            for (Dirent d : r.dirents(rootAddr)) {
                names.add(d.nameString());
            }
            assertEquals(count + 2, names.size());
            for (int i = 0; i < count; i += 97) {
                assertNotNull(r.lookup(rootAddr, "file-with-a-long-name-" + i));
            }
            // Every leaf's dirents lie in the table range their hash selects, and "." / ".." too.
            byte[] table = r.content(rootAddr);
            ByteBuffer t = ByteBuffer.wrap(table);
            int slots = 1 << root.depth();
            List<Long> leaves = r.leaves(rootAddr);
            for (int i = 0; i < slots; ) {
                long leaf = t.getLong(8 * i);
                ByteBuffer lb = r.block(leaf);
                Leaf lf = Leaf.decode(lb, leaf);
                int run = 1 << (root.depth() - lf.depth());
                for (Dirent.Located l : Dirent.live(lf.dirents(lb, leaf))) {
                    long idx = Integer.toUnsignedLong(l.dirent().hash()) >>> (32 - root.depth());
                    assertTrue(idx >= i && idx < i + run, l.dirent().nameString());
                }
                i += run;
            }
            assertTrue(leaves.size() > 10);
        }
    }

    /** Entries removed again (first-of-block sentinels, absorbed records); fsck finds counts and tiling right. */
    @ParameterizedTest
    @CsvSource({"4096, 40", "4096, 2000", "1024, 1500"})
    void removeEntries(int bsize, int count) throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = Gfs2Tools.sparseFile(dir, "img", 256L << 20);
        try (BlockDevice dev = BlockDevices.open(img, false, 0)) {
            Mkfs.format(dev, MkfsOptions.defaults().withBlockSize(bsize), 1_700_000_000L, (mkfs, root) -> {
                for (int i = 0; i < count; i++) {
                    mkfs.addEmptyFile(root, "f" + i);
                }
                for (int i = 0; i < count; i += 3) {
                    mkfs.removeEmptyFile(root, "f" + i);
                }
                DirectoryWriter dw = mkfs.directories();
                assertEquals(null, dw.remove(root.addr(), "f0"));
                assertEquals(null, dw.lookup(root.addr(), "f3"));
                assertNotNull(dw.lookup(root.addr(), "f4"));
                // Re-adding reuses the freed room.
                mkfs.addEmptyFile(root, "f3");
            });
        }
        Gfs2Tools.assertFsckClean(img);
        try (ImageReader r = new ImageReader(img)) {
            long expected = 2 + count - (count + 2) / 3 + 1;
            assertEquals(expected, r.dinode(r.sb.rootDir().addr()).entries());
            assertEquals(expected, r.dirents(r.sb.rootDir().addr()).size());
        }
    }

    /**
     * Names whose hashes share their top 17 bits force the table to the maximum depth 17 (a 1 MiB
     * table in JD blocks) and then overflow chains (lf_next); fsck must accept the result.
     */
    @org.junit.jupiter.api.Test
    void maximumDepthAndLeafChains() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        List<String> names = new java.util.ArrayList<>();
        int target = -1;
        for (long n = 0; names.size() < 120; n++) {
            String name = "c" + Long.toHexString(n);
            int top = org.gfs2j.journal.format.Checksums.nameHash(name) >>> 15;
            if (target < 0) {
                target = top;
            }
            if (top == target) {
                names.add(name);
            }
        }
        Path img = Gfs2Tools.sparseFile(dir, "img", 128L << 20);
        try (BlockDevice dev = BlockDevices.open(img, false, 0)) {
            Mkfs.format(dev, MkfsOptions.defaults(), 1_700_000_000L, (mkfs, root) -> {
                for (String n : names) {
                    mkfs.addEmptyFile(root, n);
                }
                for (String n : names) {
                    assertNotNull(mkfs.directories().lookup(root.addr(), n), n);
                }
            });
        }
        Gfs2Tools.assertFsckClean(img);
        try (ImageReader r = new ImageReader(img)) {
            long rootAddr = r.sb.rootDir().addr();
            Dinode root = r.dinode(rootAddr);
            assertEquals(17, root.depth());
            assertEquals(8L << 17, root.size());
            assertEquals(names.size() + 2, r.dirents(rootAddr).size());
            boolean chained = false;
            for (long leaf : r.leaves(rootAddr)) {
                chained |= Leaf.decode(r.block(leaf), leaf).next() != 0;
            }
            assertTrue(chained, "a full leaf at depth 17 is chained");
        }
    }
}
