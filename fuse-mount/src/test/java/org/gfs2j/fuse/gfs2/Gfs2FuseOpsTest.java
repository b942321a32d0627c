package org.gfs2j.fuse.gfs2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.gfs2j.fs.mount.MountConfig;
import org.gfs2j.fs.mount.ReadWriteGfs2Vfs;
import org.gfs2j.fs.vfs.InodeAttributes;
import org.gfs2j.fs.vfs.ReadOnlyGfs2Vfs;
import org.gfs2j.fuse.fs.Created;
import org.gfs2j.fuse.fs.Entry;
import org.gfs2j.fuse.fs.ErrnoException;
import org.gfs2j.fuse.protocol.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The adapter's mknod (rdev), RENAME_EXCHANGE, fallocate, lseek and byte names, without a kernel. */
class Gfs2FuseOpsTest {
    private static final int O_RDWR = 02;
    private static final int O_CREAT = 0100;
    private static final int SEEK_DATA = 3;
    private static final int SEEK_HOLE = 4;

    @TempDir
    Path dir;

    private static int errno(org.junit.jupiter.api.function.Executable op) {
        return assertThrows(ErrnoException.class, op).errno();
    }

    @Test
    void readWriteFileSystem() throws Exception {
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(ImageFiles.unpack("kernel-4k", dir), MountConfig.of(0))) {
            Gfs2FuseFileSystem fs = new Gfs2FuseFileSystem(vfs);
            var ctx = Gfs2FuseFileSystemTest.CTX;
            int rdev = InodeAttributes.encodeDevice(8, 300);
            Entry dev = fs.mknod(ctx, 1, "sda", 0060660, rdev, 022);
            assertEquals(rdev, dev.attr().rdev());
            assertEquals(0060640, dev.attr().mode());
            assertEquals(rdev, fs.getattr(ctx, dev.nodeid(), -1).rdev());
            assertEquals(0010644, fs.mknod(ctx, 1, "pipe", 0010644, 0, 0).attr().mode());

            // a name carried as ISO-8859-1 chars is the bytes 0xff 0xfe on disk
            String raw = "\u00ff\u00fe";
            Created c = fs.create(ctx, 1, raw, 0100644, 0, O_RDWR | O_CREAT);
            long node = c.entry().nodeid();
            assertEquals(node, vfs.lookup(vfs.rootIno(), new byte[] {(byte) 0xff, (byte) 0xfe}).ino());
            long fh = c.open().fh();
            fs.write(ctx, node, fh, 8192, ByteBuffer.wrap("x".getBytes(StandardCharsets.US_ASCII)), 0);
            assertEquals(0, fs.lseek(ctx, node, fh, 0, SEEK_HOLE));
            assertEquals(8192, fs.lseek(ctx, node, fh, 0, SEEK_DATA));
            assertEquals(6, errno(() -> fs.lseek(ctx, node, fh, 8193, SEEK_DATA)));
            fs.fallocate(ctx, node, fh, 0, 16384, 0);
            assertEquals(16384, fs.getattr(ctx, node, -1).size());
            assertEquals(16384, fs.lseek(ctx, node, fh, 0, SEEK_HOLE));
            fs.fallocate(ctx, node, fh, 0, 4096, 3);
            assertEquals(4096, fs.lseek(ctx, node, fh, 0, SEEK_DATA));
            assertEquals(Errno.EOPNOTSUPP, errno(() -> fs.fallocate(ctx, node, fh, 0, 4096, 2)));
            fs.release(ctx, node, fh, O_RDWR, 0, 0);

            fs.rename(ctx, 1, raw, 1, "pipe", 2);
            assertEquals(node, fs.lookup(ctx, 1, "pipe").nodeid());
            assertEquals(0010644, fs.lookup(ctx, 1, raw).attr().mode());
            assertEquals(Errno.EINVAL, errno(() -> fs.rename(ctx, 1, raw, 1, "pipe", 3)));
            assertEquals(Errno.ENOENT, errno(() -> fs.rename(ctx, 1, raw, 1, "nothing", 2)));
        }
    }

    @Test
    void readOnlyFileSystemSeeksButDoesNotAllocate() throws Exception {
        try (ReadOnlyGfs2Vfs vfs = ReadOnlyGfs2Vfs.open(ImageFiles.unpack("kernel-4k", dir))) {
            Gfs2FuseFileSystem fs = new Gfs2FuseFileSystem(vfs);
            var ctx = Gfs2FuseFileSystemTest.CTX;
            Entry tree = fs.lookup(ctx, 1, "tree");
            Entry hello = fs.lookup(ctx, tree.nodeid(), "hello.txt");
            long fh = fs.open(ctx, hello.nodeid(), 0, 0).fh();
            assertEquals(0, fs.lseek(ctx, hello.nodeid(), fh, 0, SEEK_DATA));
            assertEquals(hello.attr().size(), fs.lseek(ctx, hello.nodeid(), fh, 0, SEEK_HOLE));
            assertEquals(Errno.EROFS, errno(() -> fs.fallocate(ctx, hello.nodeid(), fh, 0, 10, 0)));
            assertEquals(Errno.EROFS, errno(() -> fs.mknod(ctx, 1, "p", 0010644, 0, 0)));
            fs.release(ctx, hello.nodeid(), fh, 0, 0, 0);
        }
    }
}
