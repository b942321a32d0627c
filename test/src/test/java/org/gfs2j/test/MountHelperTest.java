package org.gfs2j.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.gfs2j.cli.Gfs2jCommand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/mount.gfs2j as mount(8) uses it: installed for the test as /sbin/mount.gfs2j (any existing
 * one is put back afterwards), {@code mount -t gfs2j} and a fstab line ({@code mount -T FILE DIR})
 * mount through the gfs2j daemon, plain umount(8) ends the daemon, and a refused mount gives
 * mount(8)'s exit codes (32 mount failure, 1 usage) with nothing left mounted.
 */
class MountHelperTest {
    private static final Path HELPER = Path.of("/sbin/mount.gfs2j");

    @TempDir
    Path dir;

    private Path repo;
    private Path backup;
    private boolean installed;
    private Path img;
    private Path mnt;

    @BeforeEach
    void installHelper() throws Exception {
        assumeTrue(Files.isWritable(Path.of("/dev/fuse")) && run("id", "-u").out.trim().equals("0"),
                "needs root and /dev/fuse");
        assumeTrue(Files.isDirectory(HELPER.getParent()) && Files.isWritable(HELPER.getParent()), "needs a writable /sbin");
        assumeTrue(run("sh", "-c", "command -v mount findmnt").code == 0,
                "needs mount(8) and findmnt");
        repo = repoRoot();
        Path jar = repo.resolve("cli/target/gfs2j.jar");
        assumeTrue(Files.isRegularFile(jar), jar + " is missing: the shaded jar is built by `mvn package` of the cli"
                + " module (`make build`, or `mvn verify` of the whole project) before this test can run");

        if (Files.exists(HELPER, LinkOption.NOFOLLOW_LINKS)) {
            backup = HELPER.resolveSibling("mount.gfs2j.test-backup-" + ProcessHandle.current().pid());
            Files.move(HELPER, backup, StandardCopyOption.ATOMIC_MOVE);
        }
        installed = true;
        // A symlink: the helper finds cli/target/gfs2j.jar next to its real path.
        Files.createSymbolicLink(HELPER, repo.resolve("bin/mount.gfs2j"));

        img = dir.resolve("helper.img");
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(300L << 20);
        }
        assertEquals(0, Gfs2jCommand.execute("mkfs", "-O", "-q", "-j", "1", "-p", "lock_dlm", "-t", "helper:fs1",
                img.toString()));
        mnt = Files.createDirectory(dir.resolve("mnt"));
    }

    @AfterEach
    void cleanUp() throws Exception {
        try {
            if (mnt != null && !findmnt(mnt).isEmpty()) {
                run("umount", "-l", mnt.toString());
            }
        } finally {
            if (installed) {
                Files.deleteIfExists(HELPER);
                if (backup != null) {
                    Files.move(backup, HELPER, StandardCopyOption.ATOMIC_MOVE);
                }
            }
        }
    }

    @Test
    void mountTypeGfs2jAndPlainUmount() throws Exception {
        Result r = run("mount", "-t", "gfs2j", "-o", "ro,lockproto=lock_nolock", img.toString(), mnt.toString());
        assertEquals(0, r.code, r.out);
        assertEquals("fuse.gfs2j " + img.toRealPath(), findmnt(mnt), "mounted by the gfs2j daemon");
        assertEquals(".\n..\n", run("ls", "-a1", mnt.toString()).out, "the new file system's root is served");
        ProcessHandle daemon = daemonOf(mnt);

        r = run("umount", mnt.toString());
        assertEquals(0, r.code, r.out);
        assertEquals("", findmnt(mnt), "nothing is left mounted");
        daemon.onExit().get(20, TimeUnit.SECONDS);
        assertTrue(!daemon.isAlive(), "the daemon ends when the file system is unmounted");
    }

    @Test
    void fstabLineWithMountOnlyOptions() throws Exception {
        Path fstab = dir.resolve("fstab");
        Files.writeString(fstab, "# a test fstab\n" + img + " " + mnt
                + " gfs2j defaults,ro,noauto,nofail,_netdev,relatime,lockproto=lock_nolock 0 0\n");
        Result r = run("mount", "-T", fstab.toString(), mnt.toString());
        assertEquals(0, r.code, r.out);
        assertEquals("fuse.gfs2j " + img.toRealPath(), findmnt(mnt));
        ProcessHandle daemon = daemonOf(mnt);

        assertEquals(0, Gfs2jCommand.execute("umount", mnt.toString()));
        assertEquals("", findmnt(mnt));
        assertTrue(!daemon.isAlive(), "gfs2j umount waits for the daemon to end");
    }

    @Test
    void refusalsGiveMountExitCodes() throws Exception {
        // A cluster (lock_dlm) file system without the lockproto=lock_nolock override: gfs2j refuses,
        // which mount(8) reports as a mount failure.
        Path fstab = dir.resolve("fstab");
        Files.writeString(fstab, img + " " + mnt + " gfs2j defaults 0 0\n");
        Result r = run("mount", "-T", fstab.toString(), mnt.toString());
        assertEquals(32, r.code, r.out);
        assertTrue(r.out.contains("is a cluster file system"), r.out);
        assertEquals("", findmnt(mnt));

        // With the override, defaults (rw) mount read-write.
        Files.writeString(fstab, img + " " + mnt + " gfs2j defaults,lockproto=lock_nolock 0 0\n");
        r = run("mount", "-T", fstab.toString(), mnt.toString());
        assertEquals(0, r.code, r.out);
        assertEquals("fuse.gfs2j " + img.toRealPath(), findmnt(mnt));
        Files.writeString(mnt.resolve("written"), "rw\n");
        assertEquals("rw\n", Files.readString(mnt.resolve("written")));
        assertEquals(0, run("umount", mnt.toString()).code);
        assertEquals("", findmnt(mnt));

        // An option neither mount(8) nor gfs2j knows: a usage error, not silently dropped.
        r = run("mount", "-t", "gfs2j", "-o", "ro,lockproto=lock_nolock,noexec", img.toString(), mnt.toString());
        assertEquals(1, r.code, r.out);
        assertTrue(r.out.contains("unknown mount option 'noexec'"), r.out);
        assertEquals("", findmnt(mnt));

        // The same with -s (sloppy, mount -s): dropped, and the mount goes ahead.
        r = run("mount", "-s", "-t", "gfs2j", "-o", "ro,lockproto=lock_nolock,noexec", img.toString(), mnt.toString());
        assertEquals(0, r.code, r.out);
        assertEquals("fuse.gfs2j " + img.toRealPath(), findmnt(mnt));
        assertEquals(0, run("umount", mnt.toString()).code);
    }

    /** The daemon serving a mount point, from the claim file it holds (docs/mount.md). */
    private static ProcessHandle daemonOf(Path mountpoint) throws IOException {
        String env = System.getenv("GFS2J_RUN_DIR");
        Path devices = Path.of(env != null && !env.isEmpty() ? env : "/run/gfs2j").resolve("devices");
        String mp = mountpoint.toRealPath().toString();
        try (Stream<Path> files = Files.list(devices)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".lock"))::iterator) {
                Properties p = new Properties();
                p.load(new StringReader(Files.readString(f, StandardCharsets.UTF_8)));
                if (mp.equals(p.getProperty("mountpoint"))) {
                    long pid = Long.parseLong(p.getProperty("pid"));
                    return ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("daemon " + pid + " is not running"));
                }
            }
        }
        throw new AssertionError("no gfs2j daemon claims " + mp + " in " + devices);
    }

    /** "FSTYPE SOURCE" of the mount at the path, or "" when nothing is mounted there. */
    private static String findmnt(Path mountpoint) throws IOException, InterruptedException, TimeoutException {
        return run("findmnt", "-n", "-o", "FSTYPE,SOURCE", "--mountpoint", mountpoint.toString()).out.trim()
                .replaceAll("\\s+", " ");
    }

    private static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("bin/mount.gfs2j")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new AssertionError("bin/mount.gfs2j not found above " + Path.of("").toAbsolutePath());
    }

    private record Result(int code, String out) {
    }

    private static Result run(String... cmd) throws IOException, InterruptedException, TimeoutException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new TimeoutException(String.join(" ", cmd) + " timed out");
        }
        return new Result(p.exitValue(), out);
    }
}
