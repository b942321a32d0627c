package org.gfs2j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gfs2j mkfs} through the command line: exit codes and messages. */
class MkfsCommandTest {
    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    static Run gfs2j(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Gfs2jCommand.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    Path image(long size) throws Exception {
        Path p = dir.resolve("img");
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(size);
        }
        return p;
    }

    static String fsck(Path img) throws Exception {
        Path tool = Path.of("/usr/sbin/fsck.gfs2");
        assumeTrue(Files.isExecutable(tool), "fsck.gfs2 (gfs2-utils) is not installed");
        Process p = new ProcessBuilder(tool.toString(), "-n", img.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void makesAFileSystemFsckAccepts() throws Exception {
        Path img = image(300L << 20);
        Run r = gfs2j("mkfs", "-O", "-p", "lock_dlm", "-t", "alpha:data", "-j", "2", "-b", "2048",
                "-U", "11111111-2222-3333-4444-555555555555", img.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("Journals:                  2"), r.out());
        assertTrue(r.out().contains("\"alpha:data\""), r.out());
        assertTrue(r.out().contains("11111111-2222-3333-4444-555555555555"), r.out());
        assertTrue(r.err().contains("Writing journals: 2/2"), r.err());
        String fsck = fsck(img);
        assertTrue(fsck.contains("fsck.gfs2 complete"), fsck);
    }

    @Test
    void quietPrintsNothing() throws Exception {
        Path img = image(100L << 20);
        Run r = gfs2j("mkfs", "-O", "-q", "-p", "lock_nolock", img.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.out());
        assertEquals("", r.err());
    }

    @Test
    void unknownFlagIsAUsageError() throws Exception {
        Path img = image(100L << 20);
        Run r = gfs2j("mkfs", "--frobnicate", img.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--frobnicate"), r.err());
    }

    @Test
    void missingDeviceArgumentIsAUsageError() {
        assertEquals(2, gfs2j("mkfs", "-O").exit());
    }

    @Test
    void nonexistentDeviceFails() {
        Run r = gfs2j("mkfs", "-O", "-p", "lock_nolock", dir.resolve("nope").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("no such file"), r.err());
        assertEquals(1, r.err().lines().count(), "one clear line, no stack trace: " + r.err());
    }

    @Test
    void tooSmallDeviceFails() throws Exception {
        Path img = image(10L << 20);
        Run r = gfs2j("mkfs", "-O", "-p", "lock_nolock", img.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("too small"), r.err());
    }

    @Test
    void badLockTablesFail() throws Exception {
        Path img = image(100L << 20);
        String[][] bad = {
            {"-p", "lock_dlm"},
            {"-p", "lock_dlm", "-t", "nocolon"},
            {"-p", "lock_dlm", "-t", "a:b:c"},
            {"-p", "lock_dlm", "-t", "clu ster:fs"},
            {"-p", "lock_dlm", "-t", "c:" + "f".repeat(31)},
            {"-p", "lock_dlm", "-t", "c".repeat(33) + ":fs"},
            {"-p", "lock_foo"},
        };
        for (String[] args : bad) {
            String[] full = new String[args.length + 3];
            full[0] = "mkfs";
            full[1] = "-O";
            System.arraycopy(args, 0, full, 2, args.length);
            full[full.length - 1] = img.toString();
            Run r = gfs2j(full);
            assertEquals(1, r.exit(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().startsWith("gfs2j mkfs: "), r.err());
        }
        assertEquals(0, Files.size(img) == 100L << 20 ? 0 : 1);
    }

    @Test
    void badNumbersFail() throws Exception {
        Path img = image(100L << 20);
        assertEquals(1, gfs2j("mkfs", "-O", "-p", "lock_nolock", "-b", "3000", img.toString()).exit());
        assertEquals(1, gfs2j("mkfs", "-O", "-p", "lock_nolock", "-J", "7", img.toString()).exit());
        assertEquals(1, gfs2j("mkfs", "-O", "-p", "lock_nolock", "-r", "31", img.toString()).exit());
        assertEquals(1, gfs2j("mkfs", "-O", "-p", "lock_nolock", "-j", "0", img.toString()).exit());
        assertEquals(2, gfs2j("mkfs", "-O", "-p", "lock_nolock", "-j", "many", img.toString()).exit());
        assertEquals(2, gfs2j("mkfs", "-O", "-p", "lock_nolock", "-U", "not-a-uuid", img.toString()).exit());
    }

    @Test
    void existingFileSystemNeedsOverwriteFlag() throws Exception {
        Path img = image(100L << 20);
        assertEquals(0, gfs2j("mkfs", "-O", "-q", "-p", "lock_nolock", img.toString()).exit());
        byte[] before = Files.readAllBytes(img);
        Run r = gfs2j("mkfs", "-p", "lock_nolock", img.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("already holds a GFS2 file system") && r.err().contains("-O"), r.err());
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(img)), "the device was not touched");
        assertEquals(0, gfs2j("mkfs", "-O", "-q", "-p", "lock_nolock", img.toString()).exit());
    }

    @Test
    void helpDescribesOptions() {
        Run r = gfs2j("mkfs", "--help");
        assertEquals(0, r.exit());
        for (String opt : new String[] {"-b", "-j", "-J", "-p", "-t", "-r", "-O", "-q", "-U", "DEVICE"}) {
            assertTrue(r.out().contains(opt), opt + " in " + r.out());
        }
    }
}
