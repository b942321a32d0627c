package org.gfs2j.bench.fs;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A file system the benchmark measures: it makes a fresh image in a work directory, mounts it and
 * says where. Every target gets an image of the same size on the same disk.
 *
 * <p>Set-up that fails half-way must leave nothing behind once {@link #tearDown()} has run; targets
 * do this by pushing an undo action on the shared {@link Cleanup} after each step.
 */
public interface Target {
    /** Short name used on the command line, in tables and in file names ("ext4"). */
    String name();

    /** One line for the report ("kernel ext4 on a loop device: the kernel's ceiling"). */
    String description();

    /**
     * Why this target cannot run on this machine (a missing tool, not root), checked before set-up;
     * empty when it may run.
     */
    Optional<String> unavailableReason();

    /** Makes a fresh image under {@code workdir}, mounts it and returns the mount point. */
    Path setUp(Path workdir) throws Exception;

    /** Unmounts and removes everything {@link #setUp} made; safe to call after a failed set-up. */
    void tearDown() throws Exception;

    /** Versions of the programs behind this target, for the report ("bindfs 1.14.7"). */
    default String versions() {
        return "";
    }

    /**
     * With {@link TargetOptions#profile()}: the JFR recording of this target's daemon, complete
     * once {@link #tearDown()} has returned; empty for targets that cannot be profiled.
     */
    default Optional<Path> profileRecording() {
        return Optional.empty();
    }
}
