package org.gfs2j.bench.fs;

import java.util.List;

/**
 * What every target is built with: the image size (the same for all, so that file systems with
 * size-dependent layouts compare fairly), how to run the gfs2j CLI, and whether a target that
 * can ({@link Target#profileRecording()}) records a profile of itself.
 */
public record TargetOptions(long imageBytes, List<String> gfs2jCommand, boolean profile) {
    public TargetOptions(long imageBytes, List<String> gfs2jCommand) {
        this(imageBytes, gfs2jCommand, false);
    }

    public TargetOptions {
        if (imageBytes < 64L << 20) {
            throw new IllegalArgumentException("image size must be at least 64 MiB");
        }
        gfs2jCommand = List.copyOf(gfs2jCommand);
    }
}
