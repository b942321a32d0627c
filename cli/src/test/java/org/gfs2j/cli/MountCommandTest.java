package org.gfs2j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.meta.Journal;
import org.gfs2j.journal.format.Checksums;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gfs2j mount} / {@code gfs2j umount} through Gfs2jCommand.execute: the daemon started in
 * the background (a child JVM on this test's class path), unmounting, SIGTERM, a stale mount, and
 * every refusal with exit 1 and a clear one-line message.
 */
class MountCommandTest {
    @TempDir
    static Path dir;
    static Path img4k;
    static Path img1k;

    @TempDir
    Path work;

    record Run(int exit, String out, String err) {
    }

    @BeforeAll
    static void unpack() throws IOException {
        img4k = unpack("kernel-4k");
        img1k = unpack("kernel-1k");
    }

    private static Path unpack(String name) throws IOException {
        Path out = dir.resolve(name + ".img");
        Path gz = Path.of("..", "fs-core", "src", "test", "resources", "images", name + ".img.gz");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz), 1 << 16)) {
            Files.copy(in, out);
        }
        return out;
    }

    static synchronized Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = Gfs2jCommand.execute(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** Exit 1 with one line on stderr containing {@code expected}, no stack trace. */
    static void assertFails(Run r, String expected) {
        assertEquals(1, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    static void assumeRoot() {
        int uid;
        try {
            uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException e) {
            uid = -1;
        }
        assumeTrue(uid == 0, "mount tests need root (uid " + uid + "): skipped");
        assumeTrue(Files.exists(Path.of("/dev/fuse")), "/dev/fuse is missing: skipped");
    }

    private Path mnt(String name) throws IOException {
        return Files.createDirectory(work.resolve(name));
    }

    /** Leaves no mount behind, whatever a test did. */
    @AfterEach
    void unmountLeftovers() throws Exception {
        for (MountTable.Mount m : MountTable.read()) {
            if (m.mountpoint().startsWith(work.toString())) {
                new ProcessBuilder("umount", "-l", m.mountpoint()).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static long daemonPid(Run mounted) {
        Matcher m = Pattern.compile("daemon pid (\\d+)").matcher(mounted.out());
        assertTrue(m.find(), mounted.out());
        return Long.parseLong(m.group(1));
    }

    private static String sh(String script) throws Exception {
        Process p = new ProcessBuilder("/bin/bash", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    @Test
    void mountsInTheBackgroundAndUnmounts() throws Exception {
        assumeRoot();
        Path mp = mnt("m");
        Run r = run("mount", "-o", "ro", img4k.toString(), mp.toString());
        assertEquals(0, r.exit(), r.err());
        long pid = daemonPid(r);
        try {
            assertTrue(MountTable.at(mp).map(MountTable.Mount::isGfs2j).orElse(false));
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
            assertEquals("3b50f5c3496feff0b7761aeefb055865  -\n", sh("md5sum < '" + mp.resolve("tree/5m3") + "'"));
            assertEquals("hello.txt\n", sh("readlink '" + mp.resolve("tree/symlink") + "'"));
            try (var big = Files.newDirectoryStream(mp.resolve("tree/big"))) {
                assertFails(run("umount", mp.toString()), "is busy (a process has a file open");
                int n = 0;
                for (Path p : big) {
                    n++;
                }
                assertEquals(2000, n);
            }

            // The device is taken: a second mount elsewhere is refused.
            assertFails(run("mount", "-o", "ro", img4k.toString(), mnt("second").toString()),
                    "is already mounted on " + mp + " by gfs2j (pid " + pid + ")");
            // So is mounting over the mount point again.
            assertFails(run("mount", "-o", "ro", img1k.toString(), mp.toString()), "is already a mount point");
        } finally {
            Run u = run("umount", mp.toString());
            assertEquals(0, u.exit(), u.err());
        }
        assertTrue(MountTable.at(mp).isEmpty());
        // umount waits for the daemon, so the device is free again.
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        assertFails(run("umount", mp.toString()), "is not mounted");
    }

    @Test
    void sigtermUnmountsAndStaleMountIsCleanedUp() throws Exception {
        assumeRoot();
        Path mp = mnt("m");
        Run r = run("mount", "-o", "ro,lockproto=lock_nolock", img1k.toString(), mp.toString());
        assertEquals(0, r.exit(), r.err());
        ProcessHandle daemon = ProcessHandle.of(daemonPid(r)).orElseThrow();
        daemon.destroy();  // SIGTERM
        daemon.onExit().get(20, TimeUnit.SECONDS);
        assertTrue(MountTable.at(mp).isEmpty(), "SIGTERM left the mount behind");

        r = run("mount", "-o", "ro,lockproto=lock_nolock", img1k.toString(), mp.toString());
        assertEquals(0, r.exit(), r.err());
        daemon = ProcessHandle.of(daemonPid(r)).orElseThrow();
        new ProcessBuilder("kill", "-9", Long.toString(daemon.pid())).start().waitFor();
        daemon.onExit().get(20, TimeUnit.SECONDS);
        assertTrue(sh("ls '" + mp + "'").contains("Transport endpoint is not connected"));
        Run u = run("umount", mp.toString());
        assertEquals(0, u.exit(), u.err());
        assertTrue(u.out().contains("stale mount detached"), u.out());
        assertTrue(MountTable.at(mp).isEmpty());
        // The dead daemon's claim on the device died with it.
        r = run("mount", "-o", "ro,lockproto=lock_nolock", img1k.toString(), mp.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(0, run("umount", mp.toString()).exit());
    }

    @Test
    void refusesWhatItCannotMount() throws Exception {
        Path mp = mnt("m");
        String img = img4k.toString();
        // Read-write (the default, and -o rw) refuses what it cannot mount alone, before starting a daemon.
        assertFails(run("mount", img1k.toString(), mp.toString()),
                "is a cluster file system (lock protocol lock_dlm, lock table demo:fs1)");
        assertFails(run("mount", "-o", "rw,lockproto=lock_dlm", img, mp.toString()), "lockproto=lock_dlm is not supported yet");
        Path notGfs2 = work.resolve("one-mib.img");
        try (FileChannel ch = FileChannel.open(notGfs2, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(1), (1 << 20) - 1);
        }
        assertFails(run("mount", "-o", "rw", notGfs2.toString(), mp.toString()), "not a GFS2 file system");
        assertFails(run("mount", "-o", "ro", img, work.resolve("missing").toString()), "does not exist");
        Path file = Files.writeString(work.resolve("file"), "x");
        assertFails(run("mount", "-o", "ro", img, file.toString()), "is not a directory");
        Path full = mnt("full");
        Files.writeString(full.resolve("f"), "x");
        assertFails(run("mount", "-o", "ro", img, full.toString()), "is not empty (use -o nonempty");
        assertFails(run("mount", "-o", "ro", work.resolve("nodev").toString(), mp.toString()), "no such file or device");
        Path zeros = work.resolve("zeros.img");
        try (FileChannel ch = FileChannel.open(zeros, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(1), (1 << 20) - 1);
        }
        assertFails(run("mount", "-o", "ro", zeros.toString(), mp.toString()), "not a GFS2 file system");
        assertFails(run("mount", "-o", "ro", img1k.toString(), mp.toString()),
                "is a cluster file system (lock protocol lock_dlm, lock table demo:fs1)");
        assertTrue(run("mount", "-o", "ro", img1k.toString(), mp.toString()).err().contains("add -o lockproto=lock_nolock"));
        assertFails(run("mount", "-o", "ro,lockproto=lock_dlm", img, mp.toString()), "lockproto=lock_dlm is not supported yet");
        Run usage = run("mount", "-o", "ro,bogus", img, mp.toString());
        assertEquals(2, usage.exit());
        assertTrue(usage.err().contains("unknown mount option 'bogus'"), usage.err());
        assertTrue(MountTable.at(mp).isEmpty());
        assertFails(run("umount", "/proc"), "is not a gfs2j mount (it is proc");
    }

    @Test
    void mountsReadWriteByDefaultAndUnmountsCleanly() throws Exception {
        assumeRoot();
        Path img = work.resolve("rw.img");
        Files.copy(img4k, img);
        makeJournalDirty(img, 0); // a read-write mount replays its own journal
        Path mp = mnt("m");
        Run r = run("mount", img.toString(), mp.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("mounted read-write on " + mp.toRealPath()), r.out());
        try {
            Files.writeString(mp.resolve("hello.txt"), "written through gfs2j\n");
            Files.createDirectory(mp.resolve("gfs2j-rw"));
            Files.move(mp.resolve("hello.txt"), mp.resolve("gfs2j-rw/moved.txt"));
            assertEquals("written through gfs2j\n", Files.readString(mp.resolve("gfs2j-rw/moved.txt")));
        } finally {
            Run u = run("umount", mp.toString());
            assertEquals(0, u.exit(), u.err());
        }
        assertTrue(MountTable.at(mp).isEmpty());
        // Unmounted cleanly: fsck finds nothing, and a read-only mount (which refuses a dirty
        // journal) sees the file.
        assertEquals("", sh("fsck.gfs2 -n '" + img + "' >/dev/null 2>&1 || echo fsck-failed"));
        Run cat = run("cat", img.toString(), "/gfs2j-rw/moved.txt");
        assertEquals(0, cat.exit(), cat.err());
        assertEquals("written through gfs2j\n", cat.out());
        r = run("mount", "-o", "ro", img.toString(), mp.toString());
        assertEquals(0, r.exit(), r.err());
        try {
            assertEquals("written through gfs2j\n", Files.readString(mp.resolve("gfs2j-rw/moved.txt")));
        } finally {
            assertEquals(0, run("umount", mp.toString()).exit());
        }

        // SIGTERM unmounts a read-write mount cleanly too.
        r = run("mount", "-o", "rw", img.toString(), mp.toString());
        assertEquals(0, r.exit(), r.err());
        ProcessHandle daemon = ProcessHandle.of(daemonPid(r)).orElseThrow();
        try {
            Files.writeString(mp.resolve("gfs2j-rw/second.txt"), "before SIGTERM\n");
        } finally {
            daemon.destroy(); // SIGTERM
            daemon.onExit().get(20, TimeUnit.SECONDS);
            if (MountTable.at(mp).isPresent()) {
                run("umount", mp.toString());
            }
        }
        assertTrue(MountTable.at(mp).isEmpty(), "SIGTERM left the mount behind");
        assertEquals("", sh("fsck.gfs2 -n '" + img + "' >/dev/null 2>&1 || echo fsck-failed"));
        cat = run("cat", img.toString(), "/gfs2j-rw/second.txt");
        assertEquals("before SIGTERM\n", cat.out());
    }

    @Test
    void refusesADirtyJournal() throws Exception {
        Path img = work.resolve("dirty.img");
        Files.copy(img4k, img);
        makeJournalDirty(img, 0);
        Path mp = mnt("m");
        Run r = run("mount", "-o", "ro", img.toString(), mp.toString());
        assertFails(r, "journal0 is dirty");
        assertTrue(r.err().contains("must be replayed first, and a read-only mount does not replay"), r.err());
        assertTrue(MountTable.at(mp).isEmpty());
    }

    /** Clears the unmount flag of journal {@code id}'s head (fixing lh_hash and lh_crc): a crash. */
    static void makeJournalDirty(Path img, int id) throws IOException {
        long block;
        int bsize;
        try (FileSystemReader r = FileSystemReader.open(img)) {
            Journal j = r.journal(id);
            Journal.Head head = r.head(j);
            assertTrue(head.isClean());
            block = j.deviceBlock(head.index());
            bsize = r.geometry().bsize();
        }
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(bsize);
            ch.read(b, block * bsize);
            b.putInt(32, b.getInt(32) & ~1);
            b.putInt(44, 0);
            byte[] first = new byte[48];
            b.get(0, first);
            b.putInt(44, Checksums.gfs2Hash(first));
            if (b.getInt(48) != 0) {
                b.putInt(48, Checksums.crc32cRaw(b, 52, bsize - 52));
            }
            b.clear();
            ch.write(b, block * bsize);
        }
        try (FileSystemReader r = FileSystemReader.open(img)) {
            Journal.Head head = r.head(r.journal(id));
            assertTrue(head.found() && !head.isClean(), "the patched header is not a valid dirty head");
        }
    }

}
