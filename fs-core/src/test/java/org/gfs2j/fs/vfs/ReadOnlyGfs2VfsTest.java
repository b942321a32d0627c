package org.gfs2j.fs.vfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import org.gfs2j.fs.meta.BlockSource;
import org.gfs2j.fs.meta.DirectoryReader;
import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.meta.Journal;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.ondisk.Inum;
import org.gfs2j.fs.testing.KernelImages;
import org.gfs2j.journal.format.Checksums;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ReadOnlyGfs2Vfs on the kernel-written 4K image: answers, cookies, errors, refusals. */
class ReadOnlyGfs2VfsTest {
    static ReadOnlyGfs2Vfs vfs;

    @TempDir
    Path tmp;

    @BeforeAll
    static void open() throws IOException {
        vfs = ReadOnlyGfs2Vfs.open(KernelImages.get("kernel-4k"));
    }

    @AfterAll
    static void close() throws IOException {
        vfs.close();
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static InodeAttributes path(String p) throws FsException {
        InodeAttributes a = vfs.getattr(vfs.rootIno());
        for (String part : p.split("/")) {
            if (!part.isEmpty()) {
                a = vfs.lookup(a.ino(), b(part));
            }
        }
        return a;
    }

    static byte[] read(long ino, long offset, int len) throws FsException {
        long h = vfs.open(ino, 0);
        try {
            ByteBuffer dst = ByteBuffer.allocate(len);
            int n = vfs.read(h, offset, len, dst);
            assertEquals(n, dst.position());
            return java.util.Arrays.copyOf(dst.array(), n);
        } finally {
            vfs.release(h);
        }
    }

    @Test
    void attributesAreTheDinodes() throws Exception {
        InodeAttributes a = path("/tree/a");
        try (FileSystemReader r = FileSystemReader.open(KernelImages.get("kernel-4k"))) {
            Dinode d = r.resolve("/tree/a").dinode();
            assertEquals(d.num().addr(), a.ino());
            assertEquals(d.num().formalIno(), a.generation());
            assertEquals(d.blocks() * 8, a.blocks());
            assertEquals(d.mtime(), a.mtimeSec());
            assertEquals(d.mtimeNsec(), a.mtimeNsec());
        }
        assertEquals(040755, a.mode());
        assertEquals(3, a.nlink());
        assertEquals(123, a.uid());
        assertEquals(456, a.gid());
        assertEquals(4096, a.blksize());
        assertEquals(InodeAttributes.encodeDevice(1, 3), path("/tree/null").rdev());
        assertEquals(0x103, path("/tree/null").rdev());
        assertEquals(04755 | 0100000, path("/tree/a/4096").mode());
        assertEquals(2, path("/tree/hello.txt").nlink());
        assertEquals(path("/tree/hello.txt").ino(), path("/tree/a/hardlink").ino());
        assertEquals(vfs.rootIno(), vfs.lookup(vfs.rootIno(), b("..")).ino());
        assertEquals(FsException.ENOENT, assertThrows(FsException.class, () -> path("/tree/nope")).errno());
        assertEquals(FsException.ENOTDIR, assertThrows(FsException.class, () -> path("/tree/zero/x")).errno());
        assertEquals(FsException.ENAMETOOLONG,
                assertThrows(FsException.class, () -> vfs.lookup(vfs.rootIno(), new byte[256])).errno());
    }

    @Test
    void readsDataHolesAndTheEnd() throws Exception {
        long sparse = path("/tree/sparse").ino();
        byte[] around = read(sparse, 2_999_990, 20);
        assertEquals(20, around.length);
        for (int i = 0; i < 20; i++) {
            if (i != 10) {
                assertEquals(0, around[i], "byte " + i);
            }
        }
        assertTrue(around[10] != 0);
        assertEquals(0, read(sparse, 8_388_608, 100).length);
        assertEquals(3, read(path("/tree/5m3").ino(), 5_242_880, 4096).length);
        assertArrayEquals(b("hello\n"), read(path("/tree/hello.txt").ino(), 0, 4096));
        assertArrayEquals(b("hello.txt"), vfs.readlink(path("/tree/symlink").ino()));
        assertEquals(300, vfs.readlink(path("/tree/longlink").ino()).length);
        assertEquals(FsException.EINVAL, assertThrows(FsException.class, () -> vfs.readlink(path("/tree/zero").ino())).errno());
        assertEquals(FsException.EISDIR, assertThrows(FsException.class, () -> vfs.open(path("/tree").ino(), 0)).errno());
        assertEquals(FsException.EBADF, assertThrows(FsException.class,
                () -> vfs.read(987654, 0, 1, ByteBuffer.allocate(1))).errno());
    }

    /** Reading /tree/big seven entries per opendir, resuming at the last cookie, yields each name once. */
    @Test
    void readdirResumesAtStableCookies() throws Exception {
        long big = path("/tree/big").ino();
        List<String> all = new ArrayList<>();
        long cookie = 0;
        long last = -1;
        while (true) {
            long h = vfs.opendir(big);
            List<DirEntry> batch = new ArrayList<>();
            vfs.readdir(h, cookie, true, e -> batch.size() < 7 && batch.add(e));
            vfs.releasedir(h);
            if (batch.isEmpty()) {
                break;
            }
            for (DirEntry e : batch) {
                assertTrue(e.nextCookie() > last && e.nextCookie() != 0);
                last = e.nextCookie();
                all.add(new String(e.name(), StandardCharsets.UTF_8));
                if (e.isDotOrDotDot()) {
                    assertNull(e.attributes());
                } else {
                    assertEquals(0100000, e.type());
                    assertEquals(e.ino(), e.attributes().ino());
                }
            }
            cookie = last;
        }
        assertEquals(2002, all.size());
        assertEquals(2002, new HashSet<>(all).size());
        assertTrue(all.contains(".") && all.contains("..") && all.contains("entry-with-a-longish-name-1000"));
        assertTrue(!all.contains("entry-with-a-longish-name-21"), "removed entry listed");
    }

    @Test
    void namesWithTheSameHashGetDistinctOrderedCookies() {
        DirectoryReader.Entry[] e = {
            new DirectoryReader.Entry(b("bb"), new Inum(1, 100), 8, 0x80000000, 0),
            new DirectoryReader.Entry(b("a"), new Inum(2, 101), 8, 0x80000000, 0),
            new DirectoryReader.Entry(b("c"), new Inum(3, 102), 8, 0x10, 0),
            new DirectoryReader.Entry(b("aa"), new Inum(4, 103), 8, 0x80000000, 0),
        };
        ReadOnlyGfs2Vfs.sortForCookies(e);
        assertEquals("c a aa bb", String.join(" ", java.util.Arrays.stream(e).map(DirectoryReader.Entry::name).toList()));
        long[] k = ReadOnlyGfs2Vfs.cookieKeys(e);
        for (int i = 1; i < k.length; i++) {
            assertTrue(k[i] > k[i - 1], "keys must ascend: " + java.util.Arrays.toString(k));
        }
        assertEquals(0x80000000L << 16, k[1]);
        assertEquals((0x80000000L << 16) | 2, k[3]);
    }

    @Test
    void xattrsWithPrefixesAndAclValuesAsStored() throws Exception {
        assertEquals(List.of("user.color"), vfs.listxattr(path("/tree/hello.txt").ino()));
        assertArrayEquals(b("blue"), vfs.getxattr(path("/tree/hello.txt").ino(), "user.color"));
        assertEquals(6000, vfs.getxattr(path("/tree/zero").ino(), "user.big").length);
        long acl = path("/tree/a/b/4097").ino();
        assertEquals(List.of("system.posix_acl_access"), vfs.listxattr(acl));
        assertArrayEquals(Base64.getDecoder().decode("AgAAAAEABgD/////AgAGAOgDAAAEAAQA/////wgABABkAAAAEAAGAP////8gAAQA/////w=="),
                vfs.getxattr(acl, "system.posix_acl_access"));
        assertEquals(FsException.ENODATA, assertThrows(FsException.class, () -> vfs.getxattr(acl, "security.capability")).errno());
        assertEquals(List.of(), vfs.listxattr(path("/tree/1m").ino()));
    }

    @Test
    void statfsAsTheKernelReportedIt() throws Exception {
        // kernel-4k.manifest: # statfs bsize=4096 blocks=65512 bfree=59539 bavail=59539 files=61570 ffree=59539
        assertEquals(new FsStatistics(4096, 65512, 59539, 59539, 61570, 59539, 255), vfs.statfs());
    }

    @Test
    void everyModificationIsReadOnly() throws Exception {
        long root = vfs.rootIno();
        long zero = path("/tree/zero").ino();
        List<FsCall> calls = List.of(
                () -> vfs.open(zero, 1), () -> vfs.open(zero, 2), () -> vfs.open(zero, 01000),
                () -> vfs.setattr(zero, 0600, null, null, null, null, null),
                () -> vfs.mknod(root, b("n"), 0100644, 0, 0, 0), () -> vfs.mkdir(root, b("d"), 0755, 0, 0),
                () -> vfs.symlink(root, b("s"), b("t"), 0, 0), () -> vfs.link(zero, root, b("l")),
                () -> vfs.unlink(root, b("tree")), () -> vfs.rmdir(root, b("tree")),
                () -> vfs.rename(root, b("tree"), root, b("x"), 0), () -> vfs.write(1, 0, ByteBuffer.allocate(1)),
                () -> vfs.setxattr(zero, "user.x", b("1"), 0), () -> vfs.removexattr(zero, "user.big"));
        for (FsCall c : calls) {
            assertEquals(FsException.EROFS, assertThrows(FsException.class, c::run).errno());
        }
        assertTrue(!vfs.isWritable());
    }

    interface FsCall {
        void run() throws FsException;
    }

    @Test
    void corruptMetadataIsEioAndTheRestStillServes() throws Exception {
        Path img = copy();
        long victim;
        long bsize;
        try (FileSystemReader r = FileSystemReader.open(img)) {
            victim = r.resolve("/tree/a/b/4097").addr();
            bsize = r.geometry().bsize();
        }
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 0}), victim * bsize + Dinode.OFF_MODE);  // no file type
        }
        try (ReadOnlyGfs2Vfs v = ReadOnlyGfs2Vfs.open(img)) {
            long b = v.lookup(v.lookup(v.lookup(v.lookup(v.rootIno(), b("tree")).ino(), b("a")).ino(), b("b")).ino(), b("c")).ino();
            assertTrue(b > 0);
            long dirB = v.lookup(v.lookup(v.lookup(v.rootIno(), b("tree")).ino(), b("a")).ino(), b("b")).ino();
            FsException e = assertThrows(FsException.class, () -> v.lookup(dirB, b("4097")));
            assertEquals(FsException.EIO, e.errno());
            assertTrue(e.getMessage().contains("di_mode"), e.getMessage());
            assertEquals(FsException.EIO, assertThrows(FsException.class, () -> v.getattr(victim)).errno());
            long h = v.opendir(dirB);
            List<String> listed = new ArrayList<>();
            v.readdir(h, 0, true, en -> listed.add(new String(en.name(), StandardCharsets.UTF_8) + "="
                    + (en.attributes() != null)));
            v.releasedir(h);
            listed.sort(null);
            assertEquals(List.of("..=false", ".=false", "4097=false", "c=true"), listed);
            assertEquals(6, v.getattr(v.lookup(v.lookup(v.rootIno(), b("tree")).ino(), b("hello.txt")).ino()).size());
            // A number that is no dinode is a stale handle, not corruption.
            assertEquals(FsException.ESTALE, assertThrows(FsException.class, () -> v.getattr(victim + 1_000)).errno());
        }
    }

    @Test
    void dirtyJournalIsRefusedWithTheReason() throws Exception {
        Path img = copy();
        long block;
        int bsize;
        try (FileSystemReader r = FileSystemReader.open(img)) {
            Journal j = r.journal(0);
            block = j.deviceBlock(r.head(j).index());
            bsize = r.geometry().bsize();
        }
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer h = ByteBuffer.allocate(bsize);
            ch.read(h, block * bsize);
            h.putInt(32, h.getInt(32) & ~1).putInt(44, 0);
            byte[] first = new byte[48];
            h.get(0, first);
            h.putInt(44, Checksums.gfs2Hash(first));
            if (h.getInt(48) != 0) {
                h.putInt(48, Checksums.crc32cRaw(h, 52, bsize - 52));
            }
            ch.write(h.clear(), block * bsize);
        }
        DirtyJournalException e = assertThrows(DirtyJournalException.class, () -> ReadOnlyGfs2Vfs.open(img));
        assertEquals(0, e.journal());
        assertTrue(e.getMessage().contains("journal0 is dirty") && e.getMessage().contains("fsck.gfs2 -y"), e.getMessage());
    }

    @Test
    void blockCacheStaysWithinItsBound() throws IOException {
        int[] reads = {0};
        BlockSource src = new BlockSource() {
            public int blockSize() {
                return 512;
            }

            public long blockCount() {
                return 100;
            }

            public ByteBuffer read(long block) {
                reads[0]++;
                return ByteBuffer.allocate(512).putLong(0, block);
            }
        };
        CachingBlockSource c = new CachingBlockSource(src, 4);
        for (int i = 0; i < 10; i++) {
            assertEquals(i, c.read(i).getLong(0));
        }
        assertEquals(9, c.read(9).getLong(0));
        assertEquals(10, reads[0]);   // 9 was cached
        c.read(0);
        assertEquals(11, reads[0]);   // 0 was evicted
        assertTrue(c.statistics().startsWith("4/4 blocks cached"), c.statistics());
        assertTrue(c.read(0).isReadOnly());
    }

    private Path copy() throws IOException {
        Path img = tmp.resolve("copy.img");
        Files.copy(KernelImages.get("kernel-4k"), img);
        img.toFile().setWritable(true);
        return img;
    }

}
