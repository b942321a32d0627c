package org.gfs2j.bench.fs;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A fresh ext4 on a loop device over a sparse image, mounted by the kernel. Shared by the ext4
 * target and by bindfs, which passes through to one.
 */
final class Ext4Volume {
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private final long imageBytes;
    private final Cleanup cleanup;
    private boolean attached;
    private boolean directIo;

    Ext4Volume(long imageBytes, Cleanup cleanup) {
        this.imageBytes = imageBytes;
        this.cleanup = cleanup;
    }

    /** Missing tools or privileges for a loop-device mount, or empty. */
    static Optional<String> unavailableReason() {
        List<String> missing = new ArrayList<>();
        for (String tool : List.of("losetup", "mkfs.ext4", "mount", "umount")) {
            if (!Commands.exists(tool)) {
                missing.add(tool);
            }
        }
        if (!missing.isEmpty()) {
            return Optional.of("missing " + String.join(", ", missing));
        }
        if (!Privileges.isRoot()) {
            return Optional.of("loop devices and mounts need root");
        }
        return Optional.empty();
    }

    /** Makes image, loop device and file system and mounts it at {@code mountPoint}. */
    void create(Path image, Path mountPoint) throws IOException {
        Files.createDirectories(image.getParent());
        Files.deleteIfExists(image);
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(imageBytes); // sparse: no blocks written until the file system writes them
        }
        cleanup.push("delete " + image, () -> Files.deleteIfExists(image));

        LoopDevice loop = LoopDevice.attach(image);
        attached = true;
        directIo = loop.directIo();
        cleanup.push("detach " + loop.device(), loop::detach);

        // Initialise inode tables and journal now, so no background thread writes while we measure.
        Commands.run(TIMEOUT, "mkfs.ext4", "-q", "-F", "-E", "lazy_itable_init=0,lazy_journal_init=0",
                loop.device().toString()).check();
        Files.createDirectories(mountPoint);
        Commands.run(TIMEOUT, "mount", "-t", "ext4", loop.device().toString(),
                mountPoint.toAbsolutePath().toString()).check();
        cleanup.push("unmount " + mountPoint, () -> Mounts.unmount(mountPoint));
    }

    /** True when the loop device had to be attached without direct I/O on its backing file. */
    boolean cachedTwice() {
        return attached && !directIo;
    }

    static String version() {
        try {
            Commands.Result r = Commands.run(Duration.ofSeconds(10), "mkfs.ext4", "-V");
            String first = (r.stderr() + "\n" + r.stdout()).strip().split("\n")[0]; // "mke2fs 1.47.0 (5-Feb-2023)"
            return "e2fsprogs " + first.replaceFirst("^mke2fs\\s*", "").replaceFirst("\\s*\\(.*$", "").strip();
        } catch (IOException e) {
            return "e2fsprogs (version unknown)";
        }
    }
}
