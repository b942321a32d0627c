package org.gfs2j.fs.mount;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.gfs2j.fs.alloc.TestMount;
import org.gfs2j.fs.meta.DirectoryReader;
import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.meta.Inode;
import org.gfs2j.fs.testing.Gfs2Tools;
import org.gfs2j.fs.vfs.FsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Names are byte strings: any bytes but '/' and NUL, hashed and compared as bytes; fsck.gfs2 -n agrees. */
class RawNamesTest {
    private static final byte[] LATIN1 = {'c', 'a', 'f', (byte) 0xe9};      // "café" in ISO-8859-1
    private static final byte[] BAD_UTF8 = {(byte) 0xc3, 0x28};             // a broken two-byte sequence
    private static final byte[] FF = {(byte) 0xff};
    private static final byte[] FE = {(byte) 0xfe};                         // would both decode to U+FFFD

    @TempDir
    Path dir;

    private static void assertErrno(int expected, org.junit.jupiter.api.function.Executable op) {
        FsException e = assertThrows(FsException.class, op);
        assertEquals(expected, e.errno(), e.getMessage());
    }

    @Test
    void everyOperationTakesNamesThatAreNotUtf8() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "img", 96, 32, 4096);
        long ff;
        long d;
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            long root = vfs.rootIno();
            ff = vfs.mknod(root, FF, 0644, 0, 0, 0).ino();
            long fe = vfs.mknod(root, FE, 0644, 0, 0, 0).ino();
            assertNotEquals(ff, fe);
            assertEquals(ff, vfs.lookup(root, FF).ino());
            assertEquals(fe, vfs.lookup(root, FE).ino());
            assertErrno(FsException.EEXIST, () -> vfs.mknod(root, FF, 0644, 0, 0, 0));
            d = vfs.mkdir(root, BAD_UTF8, 0755, 0, 0).ino();
            vfs.symlink(d, LATIN1, FF, 0, 0);
            vfs.link(ff, d, FE);
            assertEquals(2, vfs.getattr(ff).nlink());
            vfs.rename(root, FE, d, FF, 0);
            assertErrno(FsException.ENOENT, () -> vfs.lookup(root, FE));
            assertEquals(fe, vfs.lookup(d, FF).ino());
            vfs.rename(d, FF, d, FE, 2 /* RENAME_EXCHANGE */);
            assertEquals(ff, vfs.lookup(d, FF).ino());
            assertEquals(fe, vfs.lookup(d, FE).ino());
            vfs.unlink(d, FE);
            assertErrno(FsException.EINVAL, () -> vfs.mknod(root, new byte[] {'a', '/', 'b'}, 0644, 0, 0, 0));
            assertErrno(FsException.EINVAL, () -> vfs.mknod(root, new byte[] {'a', 0}, 0644, 0, 0, 0));
            assertErrno(FsException.ENOENT, () -> vfs.mknod(root, new byte[0], 0644, 0, 0, 0));
            assertErrno(FsException.EINVAL, () -> vfs.rmdir(root, new byte[] {'.', '.'}));

            List<String> names = new ArrayList<>();
            vfs.readdir(vfs.opendir(d), 0, false, e -> names.add(HexFormat.of().formatHex(e.name())));
            names.sort(null);
            assertEquals(List.of("2e", "2e2e", HexFormat.of().formatHex(LATIN1), "ff"), names);
        }
        Gfs2Tools.assertFsckClean(img);
        try (FileSystemReader r = FileSystemReader.open(img)) {
            Inode dirInode = r.inode(d);
            DirectoryReader dr = r.directory(dirInode);
            assertEquals(ff, dr.lookup(FF).orElseThrow().inum().addr());
            assertArrayEquals(FF, r.file(r.inode(dr.lookup(LATIN1).orElseThrow().inum().addr())).readAll(10));
            assertEquals(d, r.directory(r.root()).lookup(BAD_UTF8).orElseThrow().inum().addr());
        }
    }

    /** Hundreds of random byte names make an exhash directory: fsck checks every stored hash. */
    @Test
    void randomByteNamesInAHashedDirectory() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "img", 96, 32, 1024);
        Random rnd = new Random(42);
        Set<String> made = new HashSet<>();
        List<byte[]> names = new ArrayList<>();
        while (names.size() < 300) {
            byte[] nm = new byte[1 + rnd.nextInt(40)];
            for (int i = 0; i < nm.length; i++) {
                byte b;
                do {
                    b = (byte) rnd.nextInt(256);
                } while (b == 0 || b == '/');
                nm[i] = b;
            }
            if ((nm.length == 1 && nm[0] == '.') || (nm.length == 2 && nm[0] == '.' && nm[1] == '.')
                    || !made.add(HexFormat.of().formatHex(nm))) {
                continue;
            }
            names.add(nm);
        }
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            long big = vfs.mkdir(vfs.rootIno(), new byte[] {(byte) 0x80, 'x'}, 0755, 0, 0).ino();
            for (byte[] nm : names) {
                vfs.mknod(big, nm, 0644, 0, 0, 0);
            }
            for (int i = 0; i < names.size(); i += 3) {
                vfs.unlink(big, names.get(i));
            }
            Set<String> listed = new HashSet<>();
            vfs.readdir(vfs.opendir(big), 0, false, e -> listed.add(HexFormat.of().formatHex(e.name())));
            for (int i = 0; i < names.size(); i++) {
                assertEquals(i % 3 != 0, listed.contains(HexFormat.of().formatHex(names.get(i))), "name " + i);
            }
            assertEquals(names.size() - 100 + 2, listed.size());
        }
        Gfs2Tools.assertFsckClean(img);
        try (FileSystemReader r = FileSystemReader.open(img)) {
            Inode big = r.inode(r.directory(r.root()).lookup(new byte[] {(byte) 0x80, 'x'}).orElseThrow().inum().addr());
            assertTrue(big.dinode().isExhashDir());
            DirectoryReader dr = r.directory(big);
            for (int i = 1; i < names.size(); i += 3) {
                assertTrue(dr.lookup(names.get(i)).isPresent(), "name " + i);
            }
        }
    }
}
