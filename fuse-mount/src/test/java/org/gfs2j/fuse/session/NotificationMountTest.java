package org.gfs2j.fuse.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.gfs2j.fuse.fs.Notifier;
import org.gfs2j.fuse.lock.LocalLockTable;
import org.gfs2j.fuse.memfs.MemFileSystem;
import org.gfs2j.fuse.protocol.Fuse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Notifications against a real mount whose caches are long-lived (60 s timeouts, KEEP_CACHE), so
 * that only an explicit invalidation can make the kernel see a change made behind its back — as a
 * cluster node sees another node's change after a glock moved.
 */
class NotificationMountTest {
    private static MountFixture m;

    @BeforeAll
    static void mount() throws Exception {
        MemFileSystem fs = new MemFileSystem(new MemFileSystem.Options(1L << 30, 1 << 20, Duration.ofSeconds(60),
                Duration.ofSeconds(60), true, Clock.systemUTC(), new LocalLockTable()));
        m = MountFixture.mount(fs, MountOptions.defaults());
    }

    @AfterAll
    static void unmount() throws Exception {
        if (m != null) {
            m.close();
        }
    }

    @Test
    void invalInodeMakesTheNextReadSeeNewData() throws Exception {
        Path f = m.path("inval-inode");
        Files.writeString(f, "old data");
        assertEquals("old data", Files.readString(f));
        long id = m.fs.resolve("/inval-inode");
        m.fs.writeBehindKernel(id, 0, "new data".getBytes(StandardCharsets.US_ASCII));
        assertEquals("old data", Files.readString(f), "kernel page cache is expected to be stale here");
        assertTrue(m.session.notifier().invalidateInode(id, 0, 0));
        assertEquals("new data", Files.readString(f));
    }

    @Test
    void invalInodeLaundersDirtySharedMmapPagesBeforeReturning() throws Exception {
        Path f = m.path("mmap-launder");
        Files.write(f, new byte[8192]);
        long id = m.fs.resolve("/mmap-launder");
        Process writer = new ProcessBuilder("python3", "-c", "import mmap,sys\n"
                + "f=open(sys.argv[1],'r+b')\n"
                + "mm=mmap.mmap(f.fileno(),8192,mmap.MAP_SHARED)\n"
                + "mm[10:15]=b'HELLO'\n"
                + "print('dirty',flush=True)\n"
                + "sys.stdin.read()\n"
                + "print(bytes(mm[10:15]).decode(),flush=True)\n", f.toString()).redirectErrorStream(true).start();
        try (java.io.BufferedReader out = new java.io.BufferedReader(
                new java.io.InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("dirty", out.readLine());
            // The page is dirty only in the kernel. Invalidating it makes the kernel send it to us
            // (a WRITE served by a worker) before the notification returns.
            assertTrue(m.session.notifier().invalidateInode(id, 0, 0));
            assertEquals("HELLO", new String(m.fs.contents(id), 10, 5, StandardCharsets.US_ASCII));
            // Changed behind the kernel now: the mapping faults the page in again and sees it.
            m.fs.writeBehindKernel(id, 10, "WORLD".getBytes(StandardCharsets.US_ASCII));
            assertTrue(m.session.notifier().invalidateInode(id, 0, 0));
            writer.getOutputStream().close();
            assertEquals("WORLD", out.readLine());
            assertTrue(writer.waitFor(10, TimeUnit.SECONDS));
        } finally {
            writer.destroyForcibly();
        }
    }

    @Test
    void attributeOnlyInvalidationRefreshesSize() throws Exception {
        Path f = m.path("inval-attr");
        Files.writeString(f, "12345");
        long id = m.fs.resolve("/inval-attr");
        assertEquals(5, Files.size(f));
        m.fs.writeBehindKernel(id, 5, "678".getBytes(StandardCharsets.US_ASCII));
        assertEquals(5, Files.size(f), "cached attributes are expected to be stale here");
        assertTrue(m.session.notifier().invalidateInode(id, -1, 0));
        assertEquals(8, Files.size(f));
    }

    @Test
    void deleteNotificationRemovesTheCachedName() throws Exception {
        Path f = m.path("deleted-elsewhere");
        Files.writeString(f, "x");
        assertTrue(Files.exists(f));
        long child = m.fs.unlinkBehindKernel(Fuse.ROOT_ID, "deleted-elsewhere");
        assertTrue(Files.exists(f), "cached dentry is expected to be stale here");
        assertTrue(m.session.notifier().delete(Fuse.ROOT_ID, child, "deleted-elsewhere"));
        assertFalse(Files.exists(f));
    }

    @Test
    void invalEntryDropsANegativeEntry() throws Exception {
        Path f = m.path("created-elsewhere");
        assertFalse(Files.exists(f));
        long id = m.fs.mkdir(kernelContext(), Fuse.ROOT_ID, "created-elsewhere", 0755, 0).nodeid();
        assertTrue(id > 1);
        assertTrue(m.session.notifier().invalidateEntry(Fuse.ROOT_ID, "created-elsewhere", false));
        assertTrue(Files.isDirectory(f));
        assertTrue(m.session.notifier().incrementEpoch());
        assertTrue(Files.isDirectory(f));
    }

    @Test
    void unknownNodeIsNotAnError() throws Exception {
        Notifier n = m.session.notifier();
        assertFalse(n.invalidateInode(987654321L, 0, 0));
        assertFalse(n.invalidateEntry(Fuse.ROOT_ID, "never-looked-up-" + System.nanoTime(), true));
    }

    private static org.gfs2j.fuse.fs.Context kernelContext() {
        return new org.gfs2j.fuse.fs.Context() {
            public int uid() {
                return 0;
            }

            public int gid() {
                return 0;
            }

            public int pid() {
                return 0;
            }

            public long unique() {
                return 0;
            }

            public boolean isInterrupted() {
                return false;
            }

            public void onInterrupt(Runnable action) {
            }
        };
    }
}
