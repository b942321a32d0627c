package org.gfs2j.test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gfs2j.cli.Gfs2jCommand;
import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.meta.Statfs;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole path a user takes, across modules and device kinds: our mkfs formats an image file or
 * a loop device, {@code gfs2j mount -o ro} serves it through FUSE from a background daemon,
 * ordinary tools see what the read path sees, {@code gfs2j umount} leaves nothing mounted, and
 * the device is byte-identical and fsck.gfs2-clean afterwards.
 */
class MkfsMountEndToEndTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"image", "loop"})
    void formatMountInspectUnmount(String kind) throws Exception {
        assumeTrue(Files.isWritable(Path.of("/dev/fuse")) && isRoot(), "needs root and /dev/fuse");
        assumeTrue(onPath("fsck.gfs2"), "needs fsck.gfs2 (gfs2-utils)");
        Path img = dir.resolve("e2e.img");
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(600L << 20);
        }
        String loop = null;
        Path mnt = Files.createDirectory(dir.resolve("mnt"));
        boolean mounted = false;
        try {
            String device = img.toString();
            if (kind.equals("loop")) {
                assumeTrue(onPath("losetup"), "needs losetup");
                loop = run("losetup", "-f", "--show", img.toString()).trim();
                device = loop;
            }
            assertEquals(0, Gfs2jCommand.execute("mkfs", "-O", "-q", "-b", "1024", "-j", "3",
                    "-p", "lock_dlm", "-t", "e2e:fs1", device));
            byte[] before = md5(img);

            assertEquals(0, Gfs2jCommand.execute("mount", "-o", "ro,lockproto=lock_nolock", device, mnt.toString()));
            mounted = true;
            assertTrue(run("findmnt", "-n", "-o", "FSTYPE", mnt.toString()).contains("fuse.gfs2j"));

            Statfs expected;
            try (FileSystemReader r = FileSystemReader.open(Path.of(device))) {
                expected = r.statfs();
            }
            String[] f = run("stat", "-f", "-c", "%S %b %f %c %d", mnt.toString()).trim().split(" ");
            assertEquals("1024", f[0]);
            assertEquals(String.valueOf(expected.blocks()), f[1], "statfs blocks");
            assertEquals(String.valueOf(expected.bfree()), f[2], "statfs free blocks");
            assertEquals(String.valueOf(expected.files()), f[3], "statfs files");
            assertEquals(String.valueOf(expected.ffree()), f[4], "statfs free files");
            assertEquals(".\n..\n", run("ls", "-a1", mnt.toString()), "a new file system's root is empty");
            assertEquals("drwxr-xr-x 2 0 0", run("stat", "-c", "%A %h %u %g", mnt.toString()).trim());
            assertNotEquals(0, exit("touch", mnt.resolve("x").toString()), "a read-only mount refuses writes");

            assertEquals(0, Gfs2jCommand.execute("umount", mnt.toString()));
            mounted = false;
            assertEquals("", run("findmnt", "-n", mnt.toString()).trim(), "nothing is left mounted");
            assertArrayEquals(before, md5(img), "a read-only mount changes no byte of the device");
            String fsck = run("fsck.gfs2", "-n", device);
            assertTrue(fsck.contains("fsck.gfs2 complete"), fsck);
        } finally {
            if (mounted) {
                exit("umount", "-l", mnt.toString());
            }
            if (loop != null) {
                exit("losetup", "-d", loop);
            }
        }
    }

    private static boolean isRoot() throws IOException, InterruptedException {
        return run("id", "-u").trim().equals("0");
    }

    private static boolean onPath(String cmd) throws IOException, InterruptedException {
        return exit("sh", "-c", "command -v " + cmd) == 0;
    }

    private static byte[] md5(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("MD5");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return md.digest();
    }

    /** Runs a command and returns its standard output; fails the test on a non-zero exit. */
    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", cmd) + " timed out");
        if (p.exitValue() != 0 && !cmd[0].equals("findmnt")) {
            throw new AssertionError(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out);
        }
        return out;
    }

    private static int exit(String... cmd) throws IOException, InterruptedException {
        List<String> c = new ArrayList<>(List.of(cmd));
        Process p = new ProcessBuilder(c).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", cmd) + " timed out");
        return p.exitValue();
    }
}
