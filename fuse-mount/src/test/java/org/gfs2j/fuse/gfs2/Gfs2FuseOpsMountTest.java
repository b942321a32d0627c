package org.gfs2j.fuse.gfs2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.gfs2j.fs.mkfs.Mkfs;
import org.gfs2j.fs.mkfs.MkfsOptions;
import org.gfs2j.fs.mount.MountConfig;
import org.gfs2j.fs.mount.ReadWriteGfs2Vfs;
import org.gfs2j.fuse.session.FuseMount;
import org.gfs2j.fuse.session.FuseSession;
import org.gfs2j.fuse.session.MountOptions;
import org.gfs2j.journal.device.BlockDevice;
import org.gfs2j.journal.device.BlockDevices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mknod (fifos, devices), fallocate, SEEK_DATA/SEEK_HOLE and RENAME_EXCHANGE through a real FUSE
 * mount of the read-write file system, driven by ordinary tools; fsck.gfs2 -n clean afterwards.
 */
class Gfs2FuseOpsMountTest {
    @TempDir
    Path tmp;

    private Path image() throws IOException {
        Path img = tmp.resolve("ops.img");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(128L << 20);
        }
        try (BlockDevice dev = BlockDevices.open(img, false, 0)) {
            Mkfs.format(dev, MkfsOptions.defaults().withBlockSize(4096).withRgSize(32).withJournalSize(8));
        }
        return img;
    }

    private Path mountpoint() throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        return Files.createDirectory(tmp.resolve("mnt"));
    }

    private static String ok(Path mp, String script) throws IOException, InterruptedException {
        ImageFiles.Result r = ImageFiles.sh("cd '" + mp + "' && " + script);
        assertEquals(0, r.exit(), script + ": " + r.out());
        return r.out();
    }

    private static void assertFsckClean(Path img) throws IOException, InterruptedException {
        Path fsck = Path.of("/usr/sbin/fsck.gfs2");
        if (!Files.isExecutable(fsck)) {
            fsck = Path.of("/sbin/fsck.gfs2");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(fsck), "fsck.gfs2 is not installed");
        ImageFiles.Result r = ImageFiles.sh("'" + fsck + "' -n '" + img + "' </dev/null");
        assertEquals(0, r.exit(), r.out());
    }

    /** renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) through glibc, as mv --exchange would. */
    private static final String EXCHANGE = "python3 -c 'import ctypes,os,sys; l=ctypes.CDLL(None, use_errno=True); "
            + "r=l.renameat2(-100, sys.argv[1].encode(), -100, sys.argv[2].encode(), 2); "
            + "sys.exit(0 if r == 0 else os.strerror(ctypes.get_errno()))' ";

    private static final String SEEK = "python3 -c 'import os,sys; fd=os.open(sys.argv[1], os.O_RDONLY); "
            + "w={\"data\": os.SEEK_DATA, \"hole\": os.SEEK_HOLE}[sys.argv[2]]\n"
            + "try:\n print(os.lseek(fd, int(sys.argv[3]), w))\nexcept OSError as e:\n print(e.strerror)' ";

    @Test
    void specialFilesFallocateSeekAndExchangeThroughTheKernel() throws Exception {
        ImageFiles.assumeCanMount();
        Path img = image();
        Path mp = mountpoint();
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0));
             FuseSession s = FuseMount.mount(mp, MountOptions.defaults().withFsName(img.toString()),
                     new Gfs2FuseFileSystem(vfs))) {
            // a fifo: a writer and a reader meet through it
            assertEquals("through the fifo\n", ok(mp, "mkfifo p && (echo through the fifo > p &) && timeout 20 cat p"));
            assertEquals("fifo\n", ok(mp, "stat -c %F p"));
            // devices, a minor number above 255 included
            assertEquals("character special file 1:3\n", ok(mp, "mknod c c 1 3 && stat -c '%F %t:%T' c"));
            assertEquals("block special file 7:12c\n", ok(mp, "mknod b b 7 300 && stat -c '%F %t:%T' b"));
            assertEquals("socket\n", ok(mp, "python3 -c 'import socket; socket.socket(socket.AF_UNIX).bind(\"sock\")' "
                    + "&& stat -c %F sock"));

            // fallocate -l: size and blocks; -n (keep size): blocks only
            assertEquals("1048576 2056\n", ok(mp, "fallocate -l 1M f && stat -c '%s %b' f"));
            assertEquals("1048576 4120\n", ok(mp, "fallocate -n -o 1M -l 1M f && stat -c '%s %b' f"));
            assertEquals("0\n", ok(mp, "cmp -s f /dev/zero -n 1048576; echo $?"));

            // a sparse file: data at 40 KiB .. 48 KiB
            ok(mp, "head -c 8192 /dev/urandom > data && dd if=data of=sparse bs=4096 seek=10 status=none");
            assertEquals("40960\n", ok(mp, SEEK + "sparse data 0"));
            assertEquals("0\n", ok(mp, SEEK + "sparse hole 0"));
            assertEquals("49152\n", ok(mp, SEEK + "sparse hole 40960"));
            assertEquals("No such device or address\n", ok(mp, SEEK + "sparse data 49152"));
            // punch the first of the two data blocks: a hole there, zeros read back
            ok(mp, "fallocate -p -o 40960 -l 4096 sparse");
            assertEquals("45056\n", ok(mp, SEEK + "sparse data 40960"));
            assertEquals("40000\n", ok(mp, SEEK + "sparse hole 40000"));
            assertEquals("49152\n", ok(mp, SEEK + "sparse hole 45056"));
            assertEquals("49152 16\n", ok(mp, "stat -c '%s %b' sparse"));
            assertEquals("0\n", ok(mp, "cmp -s -n 45056 sparse /dev/zero; echo $?"));
            assertEquals("0\n", ok(mp, "cmp -s -i 45056:4096 sparse data; echo $?"));

            // exchange: two files in one directory, then a directory and a file across parents
            ok(mp, "echo one > x && echo two > y && " + EXCHANGE + "x y");
            assertEquals("two\none\n", ok(mp, "cat x y"));
            ok(mp, "mkdir -p d1/sub d2 && echo file > d2/f && " + EXCHANGE + "d1/sub d2/f");
            assertEquals("file\n", ok(mp, "cat d1/sub"));
            assertEquals("directory 2\n3\n", ok(mp, "stat -c '%F %h' d2/f && stat -c %h d2"));
            assertEquals(ok(mp, "stat -c %i d2"), ok(mp, "stat -c %i d2/f/.."));
            assertEquals("2\n", ok(mp, "stat -c %h d1"));
            ImageFiles.Result loop = ImageFiles.sh("cd '" + mp + "' && " + EXCHANGE + "d2 d2/f/inner; mkdir d2/f/inner && "
                    + EXCHANGE + "d2 d2/f/inner");
            assertTrue(loop.exit() != 0 && loop.out().contains("Invalid argument"), loop.out());
            ImageFiles.Result missing = ImageFiles.sh("cd '" + mp + "' && " + EXCHANGE + "x nothing");
            assertTrue(missing.exit() != 0 && missing.out().contains("No such file or directory"), missing.out());
            ok(mp, "sync");
        }
        assertFsckClean(img);
    }

    /** Names that are not UTF-8 go through the kernel and back byte for byte. */
    @Test
    void namesThatAreNotUtf8() throws Exception {
        ImageFiles.assumeCanMount();
        Path img = image();
        Path mp = mountpoint();
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0));
             FuseSession s = FuseMount.mount(mp, MountOptions.defaults().withFsName(img.toString()),
                     new Gfs2FuseFileSystem(vfs))) {
            ok(mp, "echo ff > $'\\xff' && echo fe > $'\\xfe' && mkdir $'caf\\xe9' && mv $'\\xfe' $'caf\\xe9/\\xc3\\x28'");
            assertEquals("ff\n", ok(mp, "cat $'\\xff'"));
            assertEquals("fe\n", ok(mp, "cat $'caf\\xe9/\\xc3\\x28'"));
            assertEquals(" 63 61 66 e9 0a ff 0a\n", ok(mp, "LC_ALL=C ls | od -An -tx1"));
            assertEquals(" c3 28 0a\n", ok(mp, "LC_ALL=C ls $'caf\\xe9' | od -An -tx1"));
            ok(mp, "ln $'\\xff' $'\\x80\\x81' && rm $'\\xff' && rm -r $'caf\\xe9'");
            assertEquals(" 80 81 0a\n", ok(mp, "LC_ALL=C ls | od -An -tx1"));
        }
        assertFsckClean(img);
    }
}
