package org.gfs2j.fuse.gfs2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.gfs2j.fs.mount.MountConfig;
import org.gfs2j.fs.mount.ReadWriteGfs2Vfs;
import org.gfs2j.fuse.fs.Created;
import org.gfs2j.fuse.fs.ErrnoException;
import org.gfs2j.fuse.protocol.Errno;
import org.gfs2j.fuse.protocol.Fuse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The adapter over the read-write file system, without a kernel: create, O_EXCL/O_TRUNC, keep-cache. */
class Gfs2FuseReadWriteTest {
    private static final int O_RDWR = 02;
    private static final int O_CREAT = 0100;
    private static final int O_EXCL = 0200;
    private static final int O_TRUNC = 01000;

    @TempDir
    Path dir;

    @Test
    void createOpensWritesAndKeepsTheCacheOnlyWhileUnchanged() throws Exception {
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(ImageFiles.unpack("kernel-4k", dir), MountConfig.of(0))) {
            Gfs2FuseFileSystem fs = new Gfs2FuseFileSystem(vfs);
            Created c = fs.create(Gfs2FuseFileSystemTest.CTX, 1, "created", 0100666, 022, O_RDWR | O_CREAT | O_EXCL);
            long node = c.entry().nodeid();
            assertEquals(0100644, c.entry().attr().mode(), "umask applied, a regular file");
            assertEquals(0, c.entry().attr().size());
            assertEquals(3, fs.write(Gfs2FuseFileSystemTest.CTX, node, c.open().fh(), 0,
                    ByteBuffer.wrap("abc".getBytes(StandardCharsets.US_ASCII)), 0));
            fs.release(Gfs2FuseFileSystemTest.CTX, node, c.open().fh(), O_RDWR, 0, 0);
            assertEquals(3, fs.getattr(Gfs2FuseFileSystemTest.CTX, node, -1).size());
            assertEquals(node, fs.lookup(Gfs2FuseFileSystemTest.CTX, 1, "created").nodeid());

            assertEquals(Errno.EEXIST, assertThrows(ErrnoException.class, () -> fs.create(Gfs2FuseFileSystemTest.CTX,
                    1, "created", 0100644, 022, O_RDWR | O_CREAT | O_EXCL)).errno());

            // Opened twice without a change in between: the second open keeps the page cache.
            var first = fs.open(Gfs2FuseFileSystemTest.CTX, node, 0, 0);
            assertEquals(0, first.openFlags() & Fuse.OpenOut.KEEP_CACHE, "first open after the write");
            fs.release(Gfs2FuseFileSystemTest.CTX, node, first.fh(), 0, 0, 0);
            var second = fs.open(Gfs2FuseFileSystemTest.CTX, node, 0, 0);
            assertEquals(Fuse.OpenOut.KEEP_CACHE, second.openFlags() & Fuse.OpenOut.KEEP_CACHE);
            ByteBuffer dst = ByteBuffer.allocate(16);
            assertEquals(3, fs.read(Gfs2FuseFileSystemTest.CTX, node, second.fh(), 0, 16, dst));
            fs.release(Gfs2FuseFileSystemTest.CTX, node, second.fh(), 0, 0, 0);

            // An existing name without O_EXCL (created since the kernel's lookup): opened, O_TRUNC honoured.
            Created again = fs.create(Gfs2FuseFileSystemTest.CTX, 1, "created", 0100644, 022, O_RDWR | O_CREAT | O_TRUNC);
            assertEquals(node, again.entry().nodeid());
            assertEquals(0, again.entry().attr().size());
            assertEquals(0, again.open().openFlags() & Fuse.OpenOut.KEEP_CACHE);
            fs.release(Gfs2FuseFileSystemTest.CTX, node, again.open().fh(), O_RDWR, 0, 0);
            var third = fs.open(Gfs2FuseFileSystemTest.CTX, node, 0, 0);
            assertEquals(0, third.openFlags() & Fuse.OpenOut.KEEP_CACHE, "truncated since the last open");
            fs.release(Gfs2FuseFileSystemTest.CTX, node, third.fh(), 0, 0, 0);

            fs.fsyncdir(Gfs2FuseFileSystemTest.CTX, 1, 0, false);
            assertTrue(fs.referencedNodes() >= 1);
        }
    }
}
