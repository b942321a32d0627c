package org.gfs2j.fuse.session;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.gfs2j.fuse.memfs.MemFileSystem;

/**
 * A MemFileSystem mounted on a temporary directory for real-mount tests; {@link #close()} unmounts
 * (falling back to {@code umount -l}) and removes the directory even when a test failed.
 */
final class MountFixture implements AutoCloseable {
    final Path dir;
    final MemFileSystem fs;
    final FuseSession session;

    private MountFixture(Path dir, MemFileSystem fs, FuseSession session) {
        this.dir = dir;
        this.fs = fs;
        this.session = session;
    }

    /** Skips the calling test (JUnit assumption) when not root or /dev/fuse is missing. */
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

    static MountFixture mount(MemFileSystem fs, MountOptions options) throws IOException {
        assumeCanMount();
        Path dir = Files.createTempDirectory("gfs2j-fuse-");
        try {
            FuseSession s = FuseMount.mount(dir, options, fs);
            return new MountFixture(dir, fs, s);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(dir);
            throw e;
        }
    }

    static MountFixture mount() throws IOException {
        return mount(new MemFileSystem(), MountOptions.defaults());
    }

    Path path(String name) {
        return dir.resolve(name);
    }

    /** Result of a shell command. */
    record Result(int exit, String out) {
    }

    static Result run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        boolean done = p.waitFor(20, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
            throw new IOException("command timed out: " + cmd);
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    static Result sh(String script) throws IOException, InterruptedException {
        return run(List.of("/bin/bash", "-c", script));
    }

    @Override
    public void close() throws IOException {
        try {
            session.close();
        } finally {
            if (FuseMount.isMountPoint(dir)) {
                try {
                    run(List.of("umount", "-l", dir.toString()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (!FuseMount.isMountPoint(dir)) {
                Files.deleteIfExists(dir);
            }
        }
    }
}
