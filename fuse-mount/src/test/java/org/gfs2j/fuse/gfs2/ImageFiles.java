package org.gfs2j.fuse.gfs2;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

/** The kernel-written images of fs-core's test resources, unpacked, and shell helpers. */
final class ImageFiles {
    static final Path IMAGES = Path.of("../fs-core/src/test/resources/images");

    private ImageFiles() {
    }

    static void assumeCanMount() {
        int uid;
        try {
            uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException e) {
            uid = -1;
        }
        assumeTrue(uid == 0, "real FUSE mount tests need root (running as uid " + uid + "): skipped");
        assumeTrue(Files.exists(Path.of("/dev/fuse")), "/dev/fuse is missing: real FUSE mount tests skipped");
    }

    /** Unpacks images/NAME.img.gz into {@code dir}/NAME.img. */
    static Path unpack(String name, Path dir) throws IOException {
        Path out = dir.resolve(name + ".img");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(IMAGES.resolve(name + ".img.gz")), 1 << 16)) {
            Files.copy(in, out);
        }
        return out;
    }

    static List<String> manifest(String name) throws IOException {
        return Files.readAllLines(IMAGES.resolve(name + ".manifest"), StandardCharsets.UTF_8);
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    record Result(int exit, String out) {
    }

    static Result sh(String script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("/bin/bash", "-c", script).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("command timed out: " + script);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
