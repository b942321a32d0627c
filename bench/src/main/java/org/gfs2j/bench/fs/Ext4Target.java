package org.gfs2j.bench.fs;

import java.nio.file.Path;
import java.util.Optional;

/** Kernel ext4 on a loop device over a sparse image: the kernel's ceiling. */
public final class Ext4Target implements Target {
    public static final String NAME = "ext4";

    private final Cleanup cleanup;
    private final Ext4Volume volume;

    public Ext4Target(TargetOptions options) {
        this.cleanup = new Cleanup();
        this.volume = new Ext4Volume(options.imageBytes(), cleanup);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "kernel ext4 on a loop device over a sparse image (the kernel's ceiling)";
    }

    @Override
    public Optional<String> unavailableReason() {
        return Ext4Volume.unavailableReason();
    }

    @Override
    public Path setUp(Path workdir) throws Exception {
        Path dir = workdir.resolve(NAME);
        volume.create(dir.resolve("image.img"), dir.resolve("mnt"));
        return dir.resolve("mnt");
    }

    @Override
    public void tearDown() throws Exception {
        cleanup.runAllOrThrow();
    }

    @Override
    public String versions() {
        return Ext4Volume.version() + (volume.cachedTwice() ? ", loop device without direct I/O" : "");
    }
}
