package org.gfs2j.bench.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * bindfs (Debian's package, a FUSE passthrough written in C) over a kernel ext4 like the ext4
 * target's: the FUSE ceiling. Whatever it loses against ext4 is the cost of going through FUSE and
 * a user-space daemon, which gfs2j pays too.
 */
public final class BindfsTarget implements Target {
    public static final String NAME = "bindfs";
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private final Cleanup cleanup = new Cleanup();
    private final Ext4Volume lower;

    public BindfsTarget(TargetOptions options) {
        this.lower = new Ext4Volume(options.imageBytes(), cleanup);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "bindfs --multithreaded (FUSE passthrough in C) over kernel ext4 on a loop device"
                + " (the FUSE ceiling)";
    }

    @Override
    public Optional<String> unavailableReason() {
        if (!Commands.exists("bindfs")) {
            return Optional.of("bindfs is not installed (apt-get install bindfs)");
        }
        if (!Files.exists(Path.of("/dev/fuse"))) {
            return Optional.of("/dev/fuse is missing");
        }
        return Ext4Volume.unavailableReason();
    }

    @Override
    public Path setUp(Path workdir) throws Exception {
        Path dir = workdir.resolve(NAME);
        Path lowerMount = dir.resolve("ext4");
        Path mnt = dir.resolve("mnt");
        lower.create(dir.resolve("image.img"), lowerMount);
        Files.createDirectories(mnt);
        // Multithreaded like gfs2j's own daemon; without it bindfs serves one request at a time,
        // which would understate the FUSE ceiling at queue depth 16 and with several threads.
        Commands.run(TIMEOUT, "bindfs", "--multithreaded", lowerMount.toAbsolutePath().toString(),
                mnt.toAbsolutePath().toString()).check();
        cleanup.push("unmount " + mnt, () -> unmountFuse(mnt));
        return mnt;
    }

    static void unmountFuse(Path mnt) throws IOException {
        if (!Mounts.isMounted(mnt)) {
            return;
        }
        if (Commands.exists("fusermount3")
                && Commands.run(TIMEOUT, "fusermount3", "-u", mnt.toAbsolutePath().toString()).ok()) {
            return;
        }
        Mounts.unmount(mnt);
    }

    @Override
    public void tearDown() throws Exception {
        cleanup.runAllOrThrow();
    }

    @Override
    public String versions() {
        String v;
        try {
            v = Commands.run(Duration.ofSeconds(10), "bindfs", "--version").stdout().strip();
        } catch (IOException e) {
            v = "bindfs (version unknown)";
        }
        return v + ", " + Ext4Volume.version() + (lower.cachedTwice() ? ", loop device without direct I/O" : "");
    }
}
