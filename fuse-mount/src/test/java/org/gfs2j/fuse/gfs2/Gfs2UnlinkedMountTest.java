package org.gfs2j.fuse.gfs2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.function.LongSupplier;
import org.gfs2j.fs.mount.MountConfig;
import org.gfs2j.fs.mount.ReadWriteGfs2Vfs;
import org.gfs2j.fs.vfs.FsException;
import org.gfs2j.fuse.session.FuseMount;
import org.gfs2j.fuse.session.FuseSession;
import org.gfs2j.fuse.session.MountOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read-write mount through the kernel: removing a tree (the kernel image's, with xattr blocks
 * and an exhash directory of 2000 entries, then a directory grown to exhash by the kernel's own
 * creates) and a file that is still open. The kernel looks names up before removing them, so the
 * inodes are freed when its FORGETs arrive (asynchronously: the free count is polled, bounded);
 * an open file stays readable and writable after rm until close. fsck.gfs2 -n clean afterwards.
 */
class Gfs2UnlinkedMountTest {
    @TempDir
    Path tmp;

    private Path mountpoint() throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        return Files.createDirectory(tmp.resolve("mnt"));
    }

    /** Waits (bounded) until {@code free} reports {@code expected}: FORGETs come after the replies. */
    private static void awaitFree(long expected, LongSupplier free) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (free.getAsLong() != expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(expected, free.getAsLong(), "free blocks");
    }

    private static long bfree(ReadWriteGfs2Vfs vfs) {
        try {
            return vfs.statfs().bfree();
        } catch (FsException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertFsckClean(Path img) throws Exception {
        ImageFiles.Result r = ImageFiles.sh("fsck.gfs2 -n '" + img + "' 2>&1");
        assertEquals(0, r.exit(), r.out());
    }

    @Test
    void removedTreesAndOpenFilesAreFreedByTheKernelsForgetsAndCloses() throws Exception {
        ImageFiles.assumeCanMount();
        Path img = ImageFiles.unpack("kernel-1k", tmp);
        Path mp = mountpoint();
        long free0;
        long freeAfter;
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            free0 = bfree(vfs);
            try (FuseSession s = FuseMount.mount(mp, MountOptions.defaults().withFsName(img.toString()),
                    new Gfs2FuseFileSystem(vfs))) {
                // a directory the kernel grows to exhash, emptied and removed
                ImageFiles.Result grow = ImageFiles.sh("cd '" + mp + "' && mkdir grown && cd grown && "
                        + "for i in $(seq 1 1500); do : > entry-with-a-longish-name-$i; done && "
                        + "rm -f entry-with-a-longish-name-* && cd .. && rmdir grown");
                assertEquals(0, grow.exit(), grow.out());
                awaitFree(free0, () -> bfree(vfs));

                // a file open for reading and writing, removed, used, closed
                Path f = mp.resolve("open-file");
                byte[] data = new byte[300_000];
                Arrays.fill(data, (byte) 'x');
                long beforeFile = bfree(vfs);
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                        StandardOpenOption.WRITE)) {
                    ch.write(ByteBuffer.wrap(data), 0);
                    ch.force(true);
                    long used = bfree(vfs);
                    assertTrue(used < beforeFile - 290);
                    Files.delete(f);
                    assertTrue(Files.notExists(f));
                    ByteBuffer back = ByteBuffer.allocate(1000);
                    ch.read(back, 150_000);
                    byte[] want = new byte[1000];
                    Arrays.fill(want, (byte) 'x');
                    assertArrayEquals(want, back.array());
                    ch.write(ByteBuffer.wrap("after rm".getBytes()), 400_000);
                    ch.force(true);
                    ByteBuffer tail = ByteBuffer.allocate(8);
                    ch.read(tail, 400_000);
                    assertEquals("after rm", new String(tail.array()));
                    assertTrue(bfree(vfs) <= used, "blocks kept while open");
                }
                awaitFree(beforeFile, () -> bfree(vfs));

                // the kernel image's tree: EA and ED blocks, ACL, fifo, device, hard link, exhash dir
                ImageFiles.Result rm = ImageFiles.sh("rm -rf '" + mp.resolve("tree") + "'");
                assertEquals(0, rm.exit(), rm.out());
                assertTrue(Files.notExists(mp.resolve("tree")));
            }
            // the session's end returns the kernel's last references: everything removed is free now
            freeAfter = bfree(vfs);
            // 6.4 MB of file data in 1 KiB blocks, 2000 dinodes in tree/big and its leaves
            assertTrue(freeAfter > free0 + 8_400, "the tree's blocks are free: " + (freeAfter - free0));
        }
        assertFsckClean(img);
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            assertEquals(0, vfs.freeUnlinked(), "nothing left unlinked");
            assertEquals(freeAfter, bfree(vfs));
        }
    }
}
