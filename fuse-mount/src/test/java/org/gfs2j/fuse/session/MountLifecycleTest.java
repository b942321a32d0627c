package org.gfs2j.fuse.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

import org.gfs2j.fuse.memfs.MemFileSystem;
import org.gfs2j.fuse.protocol.Fuse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountLifecycleTest {
    @TempDir
    Path tmp;

    @Test
    void missingMountpointIsAClearError() {
        MountException e = assertThrows(MountException.class,
                () -> FuseMount.mount(tmp.resolve("nope"), MountOptions.defaults(), new MemFileSystem()));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void fileAsMountpointIsAClearError() throws IOException {
        Path f = Files.createFile(tmp.resolve("file"));
        MountException e = assertThrows(MountException.class,
                () -> FuseMount.mount(f, MountOptions.defaults(), new MemFileSystem()));
        assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
    }

    @Test
    void alreadyMountedIsAClearError() throws Exception {
        try (MountFixture m = MountFixture.mount()) {
            MountException e = assertThrows(MountException.class,
                    () -> FuseMount.mount(m.dir, MountOptions.defaults(), new MemFileSystem()));
            assertTrue(e.getMessage().contains("already a mount point"), e.getMessage());
            assertTrue(Files.isDirectory(m.dir), "first mount still works");
        }
    }

    @Test
    void initNegotiatesTheChosenCapabilities() throws Exception {
        try (MountFixture m = MountFixture.mount()) {
            var c = m.session.dispatcher().connection();
            assertEquals(1 << 20, c.maxWrite());
            assertEquals(256, c.maxPages());
            for (long flag : new long[] {Fuse.Init.POSIX_ACL, Fuse.Init.DONT_MASK, Fuse.Init.BIG_WRITES,
                    Fuse.Init.MAX_PAGES, Fuse.Init.DO_READDIRPLUS, Fuse.Init.POSIX_LOCKS, Fuse.Init.FLOCK_LOCKS,
                    Fuse.Init.ATOMIC_O_TRUNC, Fuse.Init.EXPLICIT_INVAL_DATA, Fuse.Init.ASYNC_READ}) {
                assertTrue(c.has(flag), "flag " + Long.toHexString(flag) + " negotiated");
            }
            assertFalse(c.has(Fuse.Init.WRITEBACK_CACHE));
            // one /dev/fuse descriptor per worker (clones) plus one for notifications
            long fuseFds;
            try (var fds = Files.list(Path.of("/proc/self/fd"))) {
                fuseFds = fds.filter(p -> {
                    try {
                        return Files.readSymbolicLink(p).toString().equals("/dev/fuse");
                    } catch (IOException e) {
                        return false;
                    }
                }).count();
            }
            assertEquals(MountOptions.defaults().workers() + 1, fuseFds);
            assertTrue(m.fs.connection() != null, "file system saw init");
            // readahead raised from the kernel's 128 KiB to max_read, so that a sequential read
            // arrives as 1 MiB READs
            long dev = (Long) Files.getAttribute(m.dir, "unix:dev");
            Path ra = Path.of("/sys/class/bdi", ((dev >>> 8) & 0xfff) + ":" + ((dev & 0xff) | ((dev >>> 12) & 0xfff00)),
                    "read_ahead_kb");
            assertEquals("1024", Files.readString(ra).trim());
        }
    }

    @Test
    void closeUnmountsEvenWhileAFileIsOpen() throws Exception {
        MountFixture m = MountFixture.mount();
        try {
            Path f = m.path("busy");
            Files.writeString(f, "x");
            FileChannel ch = FileChannel.open(f, StandardOpenOption.READ);
            try {
                m.session.close();
                assertFalse(FuseMount.isMountPoint(m.dir), "detached");
                assertTrue(m.session.awaitEnd(5, TimeUnit.SECONDS), "workers ended");
                // the connection was aborted: the open file is dead, the close's FLUSH fails too
                assertThrows(IOException.class, () -> ch.read(ByteBuffer.allocate(1), 0));
            } finally {
                assertThrows(IOException.class, ch::close);
            }
        } finally {
            m.close();
        }
        assertFalse(Files.exists(m.dir), "mount point directory removed");
    }

    @Test
    void mountThroughFusermount3() throws Exception {
        MountFixture.assumeCanMount();
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/fusermount3")), "fusermount3 not installed");
        Path dir = Files.createDirectory(tmp.resolve("fm"));
        MemFileSystem fs = new MemFileSystem();
        try (FuseSession s = FuseMount.mountWithFusermount(dir, MountOptions.defaults(), fs)) {
            Files.writeString(dir.resolve("f"), "via helper");
            assertEquals("via helper", Files.readString(dir.resolve("f")));
            String line = Files.readAllLines(Path.of("/proc/self/mounts")).stream()
                    .filter(l -> l.split(" ")[1].equals(dir.toString())).findFirst().orElseThrow();
            assertTrue(line.contains(" fuse.gfs2j ") && line.contains("nosuid") && line.contains("nodev"), line);
            assertTrue(s.dispatcher().connection().has(Fuse.Init.POSIX_ACL));
        } finally {
            if (FuseMount.isMountPoint(dir)) {
                MountFixture.sh("umount -l '" + dir + "'");
            }
        }
        assertFalse(FuseMount.isMountPoint(dir), "fusermount3 -u unmounted it");
    }

    @Test
    void externalUnmountEndsTheSession() throws Exception {
        try (MountFixture m = MountFixture.mount()) {
            Files.writeString(m.path("f"), "x");
            assertEquals(0, MountFixture.sh("umount '" + m.dir + "'").exit());
            assertTrue(m.session.awaitEnd(5, TimeUnit.SECONDS), "workers saw ENODEV and stopped");
        }
    }
}
