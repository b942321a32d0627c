package org.gfs2j.fs.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

/** Runs the gfs2-utils oracles (mkfs.gfs2, fsck.gfs2, gfs2_edit) and unpacks the kernel images. */
public final class Gfs2Tools {
    private Gfs2Tools() {
    }

    /** Result of a command: exit code and combined output. */
    public record Result(int exit, String output) {
    }

    public static Path tool(String name) {
        for (String dir : new String[] {"/usr/sbin", "/sbin", "/usr/bin", "/bin"}) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** Skips the calling test (Assumptions) when a tool is not installed. */
    public static Path requireTool(String name) {
        Path p = tool(name);
        assumeTrue(p != null, name + " (gfs2-utils) is not installed; skipping a test that needs it");
        return p;
    }

    public static Result run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(600, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + cmd);
        }
        return new Result(p.exitValue(), out);
    }

    public static Path sparseFile(Path dir, String name, long size) throws IOException {
        Path p = dir.resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(size);
        }
        return p;
    }

    /** Makes a sparse image of {@code size} bytes with mkfs.gfs2 and the given options (-O added). */
    public static Path mkfs(Path dir, String name, long size, String... options) throws IOException, InterruptedException {
        Path mkfs = requireTool("mkfs.gfs2");
        Path img = sparseFile(dir, name, size);
        List<String> cmd = new ArrayList<>(List.of(mkfs.toString(), "-O"));
        cmd.addAll(List.of(options));
        cmd.add(img.toString());
        Result r = run(cmd);
        if (r.exit() != 0) {
            throw new IOException("mkfs.gfs2 failed: " + r.output());
        }
        return img;
    }

    public static Result fsck(Path img) throws IOException, InterruptedException {
        return run(List.of(requireTool("fsck.gfs2").toString(), "-n", img.toString()));
    }

    private static final java.util.Set<String> FSCK_BANNERS = java.util.Set.of(
            "Initializing fsck", "Validating resource group index.",
            "Level 1 resource group check: Checking if all rgrp and rindex values are good.", "(level 1 passed)",
            "Starting pass1", "Reconciling bitmaps.", "Starting pass1b", "Starting pass2", "Starting pass3",
            "Starting pass4", "Starting check_statfs", "fsck.gfs2 complete");
    private static final java.util.regex.Pattern FSCK_TIMING =
            java.util.regex.Pattern.compile("[a-z0-9_]+ completed in [0-9.]+s");

    /** fsck.gfs2 -n exits 0 and prints nothing but the banners of a clean run (spec 14). */
    public static void assertFsckClean(Path img) throws IOException, InterruptedException {
        Result r = fsck(img);
        org.junit.jupiter.api.Assertions.assertEquals(0, r.exit(), r.output());
        // On a slow run fsck also draws "NN percent complete." progress with carriage returns.
        String text = r.output().replaceAll("\\d+ percent complete\\.", "\n");
        for (String line : text.lines().filter(l -> !l.isBlank()).toList()) {
            org.junit.jupiter.api.Assertions.assertTrue(FSCK_BANNERS.contains(line) || FSCK_TIMING.matcher(line).matches(),
                    "unexpected fsck.gfs2 line: \"" + line + "\" in\n" + r.output());
        }
    }

    public static Result edit(Path img, String... what) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(requireTool("gfs2_edit").toString(), "-p"));
        cmd.addAll(List.of(what));
        cmd.add(img.toString());
        return run(cmd);
    }

    /** Unpacks test resource {@code images/NAME.img.gz} into {@code dir}. */
    public static Path kernelImage(Path dir, String name) throws IOException {
        Path out = dir.resolve(name + ".img");
        try (InputStream in = Gfs2Tools.class.getResourceAsStream("/images/" + name + ".img.gz")) {
            if (in == null) {
                throw new IOException("missing test resource images/" + name + ".img.gz");
            }
            try (GZIPInputStream gz = new GZIPInputStream(in, 1 << 16)) {
                Files.copy(gz, out);
            }
        }
        return out;
    }

    public static List<String> manifest(String name) throws IOException {
        try (InputStream in = Gfs2Tools.class.getResourceAsStream("/images/" + name + ".manifest")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }
}
