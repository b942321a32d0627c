package org.gfs2j.bench.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Empties the kernel's page, dentry and inode caches ({@code sync; echo 3 >
 * /proc/sys/vm/drop_caches}) so that a read phase reads from the device. That needs root; without
 * it the drop is skipped and {@link #skippedReason()} says so for the report.
 */
public class CacheDropper {
    private volatile String skipped;

    /** Drops caches; returns false (and remembers why) when it could not. */
    public boolean drop() {
        try {
            Commands.run(Duration.ofMinutes(5), "sync").check();
            Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3");
            return true;
        } catch (IOException e) {
            skipped = "page cache not dropped before cold reads (" + e.getMessage()
                    + (Privileges.isRoot() ? "" : "; needs root") + "): cold figures may be warm";
            return false;
        }
    }

    /** Why a drop was skipped, or null when every drop worked. */
    public String skippedReason() {
        return skipped;
    }

    /** For tests and runs that do not want cold reads: does nothing, reports nothing. */
    public static CacheDropper none() {
        return new CacheDropper() {
            @Override
            public boolean drop() {
                return true;
            }
        };
    }
}
