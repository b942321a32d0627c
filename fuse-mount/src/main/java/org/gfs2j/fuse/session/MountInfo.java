package org.gfs2j.fuse.session;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The mounts of this process's mount namespace, parsed from /proc/self/mountinfo (proc(5)):
 * <pre>
 * id parent major:minor root mountpoint options [optional fields...] - fstype source superoptions
 * </pre>
 * The one parser of that file: {@link FuseMount}, the CLI's mount/umount verbs and the benchmark
 * runner all use it.
 */
public final class MountInfo {
    public static final Path SELF = Path.of("/proc/self/mountinfo");

    /** One mount; {@code mountpoint} and {@code source} with the kernel's octal escapes decoded. */
    public record Mount(String mountpoint, String fstype, String source) {
    }

    private MountInfo() {
    }

    public static List<Mount> read() throws IOException {
        return parse(Files.readAllLines(SELF, StandardCharsets.UTF_8));
    }

    /** Lines lacking the "-" separator or the fields around it are skipped. */
    public static List<Mount> parse(List<String> lines) {
        List<Mount> out = new ArrayList<>();
        for (String line : lines) {
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
    public static Optional<Mount> at(Path dir) throws IOException {
        return topmost(read(), dir);
    }

    /** The last (so topmost) of {@code mounts} at {@code dir}. */
    static Optional<Mount> topmost(List<Mount> mounts, Path dir) {
        String want = dir.toString();
        Mount found = null;
        for (Mount m : mounts) {
            if (m.mountpoint().equals(want)) {
                found = m;
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * mountinfo escapes space, tab, newline and backslash as \ooo; a backslash not followed by
     * three octal digits is kept as it is.
     */
    public static String unescape(String s) {
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
                    // not an escape: keep the backslash
                }
            }
            sb.append(c);
        }
        return sb.toString();
    }
}
