package org.gfs2j.fs.meta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.ondisk.EaHeader;
import org.gfs2j.fs.ondisk.PosixAcl;
import org.gfs2j.fs.ondisk.StatfsChange;
import org.gfs2j.fs.testing.KernelImages;
import org.gfs2j.journal.format.Checksums;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The read primitives against the images the Linux kernel wrote. */
class KernelImageReadTest {

    private static FileSystemReader open(String name) throws Exception {
        return FileSystemReader.open(KernelImages.get(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"kernel-4k", "kernel-1k"})
    void everyInodesTreeLeavesAndEaBlocksAddUpToDiBlocks(String name) throws Exception {
        try (FileSystemReader fs = open(name)) {
            List<Inode> all = new ArrayList<>();
            collect(fs, fs.root(), all, new HashSet<>());
            collect(fs, fs.master(), all, new HashSet<>());
            assertTrue(all.size() > 2010, "inodes walked: " + all.size());
            for (Inode i : all) {
                long counted = Arrays.stream(fs.fileMap(i).blocksPerLevel()).sum();
                if (i.dinode().isExhashDir()) {
                    counted += fs.directory(i).leafBlocks().size();
                }
                counted += fs.xattrs(i).blockCount();
                assertEquals(i.dinode().blocks(), counted, "di_blocks of inode " + i.addr());
            }
        }
    }

    private static void collect(FileSystemReader fs, Inode inode, List<Inode> out, Set<Long> seen) throws Exception {
        if (!seen.add(inode.addr())) {
            return;
        }
        out.add(inode);
        if (inode.dinode().isDirectory()) {
            for (DirectoryReader.Entry e : fs.directory(inode).list()) {
                if (!e.isDot()) {
                    collect(fs, fs.inode(inode, e), out, seen);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"kernel-4k", "kernel-1k"})
    void sparseFileHasOneDataBlockAndReadsZerosAroundTheByte(String name) throws Exception {
        try (FileSystemReader fs = open(name)) {
            Inode sparse = fs.resolve("/tree/sparse");
            int bsize = fs.geometry().bsize();
            FileMap map = fs.fileMap(sparse);
            List<Extent> ext = map.extents();
            assertEquals(1, ext.size(), ext.toString());
            assertEquals(3_000_000L / bsize, ext.get(0).logical());
            assertEquals(1, ext.get(0).length());
            assertEquals(ext.get(0).device(), map.map(3_000_000L / bsize));
            assertEquals(0, map.map(0));
            assertEquals(0, map.map(map.logicalBlocks() - 1));
            FileReader r = fs.file(sparse);
            byte[] around = r.read(2_999_998, 5);
            assertEquals(5, around.length);
            assertEquals(0, around[0]);
            assertEquals(0, around[1]);
            assertTrue(around[2] != 0, "the byte written at 3,000,000");
            assertEquals(0, around[3]);
            assertArrayEquals(new byte[100], r.read(8_388_608 - 100, 1000));
            assertEquals(0, r.read(8_388_608, 10).length);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"kernel-4k", "kernel-1k"})
    void fileContentIsSeqOutputAtAnyOffset(String name) throws Exception {
        StringBuilder seq = new StringBuilder();
        for (int i = 1; seq.length() < 5_242_883 + 16; i++) {
            seq.append(i).append('\n');
        }
        byte[] expected = seq.toString().getBytes(StandardCharsets.US_ASCII);
        try (FileSystemReader fs = open(name)) {
            FileReader r = fs.file(fs.resolve("tree/5m3"));
            assertTrue(fs.fileMap(r.map().inode()).height() >= 2);
            List<Extent> ext = r.map().extents();
            assertEquals(r.map().logicalBlocks(), ext.stream().mapToLong(Extent::length).sum());
            for (long off : new long[] {0, 1, 4095, 4096, 1_000_000, 5_242_883 - 7}) {
                byte[] got = r.read(off, 7000);
                int n = (int) Math.min(7000, 5_242_883 - off);
                assertArrayEquals(Arrays.copyOfRange(expected, (int) off, (int) off + n), got, "offset " + off);
            }
            byte[] stuffed = fs.file(fs.resolve("/tree/stuffed")).read(0, 5000);
            assertArrayEquals(Arrays.copyOf(expected, 3000), stuffed);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"kernel-4k", "kernel-1k"})
    void exhashLookupFindsEveryLiveNameThroughTheHash(String name) throws Exception {
        try (FileSystemReader fs = open(name)) {
            Inode big = fs.resolve("/tree/big");
            DirectoryReader dir = fs.directory(big);
            assertTrue(dir.isExhash());
            List<DirectoryReader.Entry> list = dir.list();
            assertEquals(big.dinode().entries(), list.size());
            assertEquals(2002, list.size());
            for (int i = 1; i <= 2100; i++) {
                boolean live = i % 21 != 0;
                assertEquals(live, dir.lookup("entry-with-a-longish-name-" + i).isPresent(), "entry " + i);
            }
            assertTrue(dir.lookup(".").isPresent());
            assertTrue(dir.lookup("..").isPresent());
            // readdir order: ascending hash within a leaf chain, chains in table order = ascending overall
            for (int i = 1; i < list.size(); i++) {
                assertTrue(Integer.compareUnsigned(list.get(i - 1).hash(), list.get(i).hash()) <= 0, "hash order at " + i);
            }
            for (DirectoryReader.Entry e : list) {
                assertEquals(Checksums.gfs2Hash(e.nameBytes()), e.hash());
            }
            assertEquals(new HashSet<>(dir.leafBlocks()).size(), dir.leafBlocks().size());
            long[] table = dir.hashTable();
            for (int i = 0; i < table.length; i++) {
                assertEquals(table[i], dir.tableEntry(i), "slot " + i);
            }
            assertEquals(name.equals("kernel-1k"), big.dinode().height() > 0, "the 1K image's table lives in JD blocks");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"kernel-4k", "kernel-1k"})
    void xattrsStuffedUnstuffedAndAcl(String name) throws Exception {
        try (FileSystemReader fs = open(name)) {
            Xattr big = fs.xattrs(fs.resolve("/tree/zero")).get("user.big").orElseThrow();
            byte[] xs = new byte[6000];
            Arrays.fill(xs, (byte) 'x');
            assertArrayEquals(xs, big.value());
            assertEquals("blue", new String(fs.xattrs(fs.resolve("/tree/hello.txt")).get("user.color").orElseThrow().value(),
                    StandardCharsets.UTF_8));
            Xattr acl = fs.xattrs(fs.resolve("/tree/a/b/4097")).get("system.posix_acl_access").orElseThrow();
            assertEquals(EaHeader.TYPE_SYSTEM, acl.type());
            PosixAcl a = PosixAcl.decode(acl.value(), -1);
            assertEquals(6, a.entries().size());
            assertTrue(a.entries().contains(new PosixAcl.Entry(PosixAcl.USER, 6, 1000)));
            assertTrue(fs.xattrs(fs.resolve("/tree/fifo")).list().isEmpty());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"kernel-4k", "kernel-1k"})
    void symlinksAndDevices(String name) throws Exception {
        try (FileSystemReader fs = open(name)) {
            assertEquals("hello.txt", new String(fs.symlinkTarget(fs.resolve("/tree/symlink")), StandardCharsets.UTF_8));
            assertEquals("d".repeat(300), new String(fs.symlinkTarget(fs.resolve("/tree/longlink")), StandardCharsets.UTF_8));
            Dinode nul = fs.resolve("/tree/null").dinode();
            assertEquals(Dinode.S_IFCHR, nul.fileType());
            assertEquals(1, nul.major());
            assertEquals(3, nul.minor());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"kernel-4k", "kernel-1k"})
    void journalsAreContiguousAndCleanlyUnmounted(String name) throws Exception {
        try (FileSystemReader fs = open(name)) {
            List<Journal> js = fs.journals();
            assertEquals(name.equals("kernel-1k") ? 2 : 1, js.size());
            for (Journal j : js) {
                assertEquals(8L << 20, j.inode().dinode().size());
                assertEquals((8L << 20) / fs.geometry().bsize(), j.blocks());
                assertEquals(1, j.extents().size());
                assertEquals(j.extents(), fs.journalExtents(j.id()));
                Journal.Head h = fs.head(j);
                assertTrue(h.found());
                assertTrue(h.isClean());
                assertEquals(h.index(), h.header().blkno());
                assertTrue(h.validHeaders() > 0);
            }
            // journal0 was mounted by the kernel: its head is a kernel unmount header, not mkfs's
            assertEquals(0, fs.head(js.get(0)).header().flags() & 0x80000000);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"kernel-4k", "kernel-1k"})
    void statfsIsMasterPlusDeltasAndMatchesTheRgrps(String name) throws Exception {
        try (FileSystemReader fs = open(name)) {
            long data = 0;
            long free = 0;
            long dinodes = 0;
            for (ResourceGroup rg : fs.resourceGroups()) {
                data += rg.index().data();
                free += rg.header().free();
                dinodes += rg.header().dinodes();
                assertEquals(rg.header().free(), rg.bitmap().count(org.gfs2j.fs.ondisk.RgrpBitmap.FREE));
            }
            StatfsChange sum = fs.masterStatfs();
            for (StatfsChange c : fs.statfsChanges().values()) {
                sum = sum.plus(c);
            }
            assertEquals(new StatfsChange(data, free, dinodes), sum);
            Statfs s = fs.statfs();
            assertEquals(data, s.blocks());
            assertEquals(free, s.bfree());
            assertEquals(dinodes + free, s.files());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"kernel-4k"})
    void missingPathsAndNonDirectories(String name) throws Exception {
        try (FileSystemReader fs = open(name)) {
            NoSuchPathException e = assertThrows(NoSuchPathException.class, () -> fs.resolve("/tree/nope"));
            assertEquals("/tree/nope: No such file or directory", e.getMessage());
            e = assertThrows(NoSuchPathException.class, () -> fs.resolve("/tree/hello.txt/x"));
            assertTrue(e.getMessage().contains("Not a directory"));
            assertEquals(fs.root().addr(), fs.resolve("/").addr());
            assertEquals(fs.resolve("/tree").addr(), fs.resolve("tree/a/..").addr());
            assertThrows(NoSuchPathException.class, () -> fs.inode(fs.superblock().rootDir().addr() + 100_000_000L));
            assertFalse(fs.directory(fs.root()).isExhash());
        }
    }
}
