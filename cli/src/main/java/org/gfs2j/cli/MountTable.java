package org.gfs2j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.gfs2j.fuse.session.MountInfo;

/** The mounts of this process's namespace, from /proc/self/mountinfo (parsed by {@link MountInfo}). */
final class MountTable {
    /** gfs2j's FUSE mounts show this file-system type. */
    static final String GFS2J_FSTYPE = "fuse.gfs2j";

    record Mount(String mountpoint, String fstype, String source) {
        private Mount(MountInfo.Mount m) {
            this(m.mountpoint(), m.fstype(), m.source());
        }

        boolean isGfs2j() {
            return GFS2J_FSTYPE.equals(fstype);
        }
    }

    private MountTable() {
    }

    static List<Mount> read() throws IOException {
        return MountInfo.read().stream().map(Mount::new).toList();
    }

    /** The topmost mount at {@code dir} (an absolute, normalized path), if any. */
    static Optional<Mount> at(Path dir) throws IOException {
        return MountInfo.at(dir).map(Mount::new);
    }
}
