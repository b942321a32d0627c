package org.gfs2j.fuse.gfs2;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Describes a mounted tree in the format of the images' manifests, using only ordinary tools
 * (find, md5sum, stat, getfattr), so that what the kernel shows through our mount is compared
 * with what the kernel's own GFS2 showed.
 */
final class MountedTree {
    private MountedTree() {
    }

    /** One manifest line per path: path type mode uid gid size nlink md5|target|major:minor|-. */
    static List<String> entries(Path mp) throws IOException, InterruptedException {
        String q = "'" + mp + "'";
        ImageFiles.Result listing = ImageFiles.sh("cd " + q + " && LC_ALL=C find . -printf '%p\\t%y\\t%m\\t%U\\t%G\\t%s\\t%n\\t%l\\n'");
        ImageFiles.Result sums = ImageFiles.sh("cd " + q + " && find . -type f -print0 | xargs -0 md5sum");
        ImageFiles.Result devs = ImageFiles.sh("cd " + q + " && find . \\( -type c -o -type b \\) -exec stat -c '%n %t %T' {} +");
        for (ImageFiles.Result r : List.of(listing, sums, devs)) {
            if (r.exit() != 0) {
                throw new IOException("describing " + mp + " failed: " + r.out());
            }
        }
        Map<String, String> md5 = new HashMap<>();
        for (String l : sums.out().lines().toList()) {
            md5.put(l.substring(34), l.substring(0, 32));
        }
        Map<String, String> dev = new HashMap<>();
        for (String l : devs.out().lines().toList()) {
            String[] f = l.split(" ");
            dev.put(f[0], Integer.parseInt(f[1], 16) + ":" + Integer.parseInt(f[2], 16));
        }
        List<String> out = new ArrayList<>();
        for (String l : listing.out().lines().toList()) {
            String[] f = l.split("\t", -1);
            String path = f[0];
            String type = f[1];
            String last = switch (type) {
                case "f" -> md5.get(path);
                case "l" -> f[7];
                case "c", "b" -> dev.get(path);
                default -> "-";
            };
            String mode = String.format("%04o", Integer.parseInt(f[2], 8));
            out.add(String.join("\t", path, type, mode, f[3], f[4], f[5], f[6], String.valueOf(last)));
        }
        out.sort(null);
        return out;
    }

    /** {@code getfattr -h -d -m -} of every path (relative, sorted), as the manifest's xattr section. */
    static List<String> xattrs(Path mp) throws IOException, InterruptedException {
        ImageFiles.Result r = ImageFiles.sh("cd '" + mp + "' && find . -mindepth 1 -printf '%P\\n' | LC_ALL=C sort"
                + " | xargs -d '\\n' getfattr -h -d -m - 2>&1");
        return trimBlankEnd(r.out().lines().toList());
    }

    static String statfs(Path mp) throws IOException, InterruptedException {
        return ImageFiles.sh("stat -f -c 'bsize=%S blocks=%b bfree=%f bavail=%a files=%c ffree=%d' '" + mp + "'").out().trim();
    }

    static List<String> manifestEntries(List<String> manifest) {
        return manifest.subList(0, manifest.indexOf("# xattrs")).stream().sorted().toList();
    }

    static List<String> manifestXattrs(List<String> manifest) {
        int from = manifest.indexOf("# xattrs") + 1;
        int to = from;
        while (to < manifest.size() && !manifest.get(to).startsWith("# statfs")) {
            to++;
        }
        return trimBlankEnd(manifest.subList(from, to));
    }

    static String manifestStatfs(List<String> manifest) {
        return manifest.stream().filter(l -> l.startsWith("# statfs ")).findFirst().orElseThrow()
                .substring("# statfs ".length());
    }

    private static List<String> trimBlankEnd(List<String> lines) {
        int end = lines.size();
        while (end > 0 && lines.get(end - 1).isBlank()) {
            end--;
        }
        return List.copyOf(lines.subList(0, end));
    }
}
