package org.gfs2j.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The mounts of this process's namespace, from /proc/self/mountinfo. */
final class MountTable {
    /** gfs2j's FUSE mounts show this file-system type. */
    static final String GFS2J_FSTYPE = "fuse.gfs2j";

    record Mount(String mountpoint, String fstype, String source) {
        boolean isGfs2j() {
            return GFS2J_FSTYPE.equals(fstype);
        }
    }

    private MountTable() {
    }

    static List<Mount> read() throws IOException {
        List<Mount> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
            // id parent major:minor root mountpoint options [optional fields] - fstype source superoptions
            String[] f = line.split(" ");
            int dash = List.of(f).indexOf("-");
            if (f.length < 5 || dash < 0 || dash + 2 >= f.length) {
                continue;
            }
            out.add(new Mount(unescape(f[4]), f[dash + 1], unescape(f[dash + 2])));
        }
        return out;
    }

    /** The topmost mount at {@code dir} (an absolute, normalized path), if any. */
    static Optional<Mount> at(Path dir) throws IOException {
        String want = dir.toString();
        Mount found = null;
        for (Mount m : read()) {
            if (m.mountpoint().equals(want)) {
                found = m;
            }
        }
        return Optional.ofNullable(found);
    }

    /** mountinfo escapes space, tab, newline and backslash as \ooo. */
    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                try {
                    sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                    i += 3;
                    continue;
                } catch (NumberFormatException e) {
                    // not an escape
                }
            }
            sb.append(c);
        }
        return sb.toString();
    }
}
