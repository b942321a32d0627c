package org.gfs2j.bench.fs;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.gfs2j.fuse.session.MountInfo;

/** Mount table queries and unmounting that does not give up on a busy mount. */
public final class Mounts {
    /** One line of /proc/self/mountinfo, reduced to what the runner needs. */
    public record MountEntry(Path mountPoint, String fsType, String source) {
    }

    private static final Duration UMOUNT_TIMEOUT = Duration.ofSeconds(60);

    private Mounts() {
    }

    public static List<MountEntry> list() throws IOException {
        List<MountEntry> out = new ArrayList<>();
        for (MountInfo.Mount m : MountInfo.read()) {
            out.add(new MountEntry(Path.of(m.mountpoint()), m.fstype(), m.source()));
        }
        return out;
    }

    public static boolean isMounted(Path mountPoint) throws IOException {
        Path p = mountPoint.toAbsolutePath().normalize();
        return list().stream().anyMatch(m -> m.mountPoint().equals(p));
    }

    /** Mounts at or below {@code dir}, deepest first (the order to unmount them in). */
    public static List<MountEntry> under(Path dir) throws IOException {
        Path d = dir.toAbsolutePath().normalize();
        List<MountEntry> found = new ArrayList<>();
        for (MountEntry m : list()) {
            if (m.mountPoint().startsWith(d)) {
                found.add(m);
            }
        }
        found.sort((a, b) -> b.mountPoint().getNameCount() - a.mountPoint().getNameCount());
        return found;
    }

    /**
     * Unmounts, retrying while the mount is busy, and detaches it lazily as a last resort so that
     * nothing is left mounted. Does nothing when it is not mounted.
     */
    public static void unmount(Path mountPoint) throws IOException {
        String mp = mountPoint.toAbsolutePath().normalize().toString();
        for (int attempt = 0; attempt < 5 && isMounted(mountPoint); attempt++) {
            Commands.Result r = Commands.run(UMOUNT_TIMEOUT, "umount", mp);
            if (r.ok()) {
                return;
            }
            Commands.run(Duration.ofSeconds(30), "sync");
            pause(200L * (attempt + 1));
        }
        if (isMounted(mountPoint)) {
            Commands.run(UMOUNT_TIMEOUT, "umount", "-l", mp).check();
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
