package org.gfs2j.fs.mount;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.gfs2j.fs.alloc.TestMount;
import org.gfs2j.fs.testing.Gfs2Tools;
import org.gfs2j.fs.vfs.DirEntry;
import org.gfs2j.fs.vfs.FsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * readdir on a directory that changes while it is read: a reader continuing from a cookie sees every
 * entry that stayed exactly once, and a read from cookie 0 (rewinddir) sees the directory as it is
 * now; the pattern of `rm -rf` (read a batch, unlink it, read again from the start) terminates.
 */
class ReaddirCookieTest {
    @TempDir
    Path dir;

    private static byte[] n(String s) {
        return s.getBytes(UTF_8);
    }

    /** Up to {@code max} entries from {@code cookie}, "." and ".." left out. */
    private static List<DirEntry> batch(ReadWriteGfs2Vfs vfs, long h, long cookie, int max) throws FsException {
        List<DirEntry> out = new ArrayList<>();
        vfs.readdir(h, cookie, false, e -> {
            if (out.size() == max) {
                return false;
            }
            String s = new String(e.name(), UTF_8);
            if (!s.equals(".") && !s.equals("..")) {
                out.add(e);
            }
            return true;
        });
        return out;
    }

    @Test
    void cookiesSurviveChangesAndRewindShowsTheCurrentDirectory() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "img", 96, 32, 4096);
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            long root = vfs.rootIno();
            long d = vfs.mkdir(root, n("d"), 0755, 0, 0).ino();
            Set<String> all = new TreeSet<>();
            for (int i = 0; i < 600; i++) { // past stuffed: an exhash directory with several leaves
                vfs.mknod(d, n("f" + i), 0644, 0, 0, 0);
                all.add("f" + i);
            }

            long h = vfs.opendir(d);
            try {
                List<DirEntry> first = batch(vfs, h, 0, 100);
                assertEquals(100, first.size());
                Set<String> seen = new HashSet<>();
                for (DirEntry e : first) {
                    seen.add(new String(e.name(), UTF_8));
                }
                // Between two reads: names already read and names not yet read go, new ones come.
                Set<String> removed = new TreeSet<>();
                int k = 0;
                for (String s : all) {
                    if (k++ % 7 == 0) {
                        vfs.unlink(d, n(s));
                        removed.add(s);
                    }
                }
                for (int i = 0; i < 50; i++) {
                    vfs.mknod(d, n("g" + i), 0644, 0, 0, 0);
                }
                long cookie = first.get(first.size() - 1).nextCookie();
                List<DirEntry> rest = batch(vfs, h, cookie, Integer.MAX_VALUE);
                for (DirEntry e : rest) {
                    String s = new String(e.name(), UTF_8);
                    assertTrue(seen.add(s), "entry listed twice: " + s);
                }
                for (String s : all) {
                    if (!removed.contains(s)) {
                        assertTrue(seen.contains(s), "surviving entry skipped: " + s);
                    }
                }

                // rewinddir: the directory as it is now
                Set<String> now = new TreeSet<>();
                for (DirEntry e : batch(vfs, h, 0, Integer.MAX_VALUE)) {
                    now.add(new String(e.name(), UTF_8));
                }
                Set<String> expected = new TreeSet<>(all);
                expected.removeAll(removed);
                for (int i = 0; i < 50; i++) {
                    expected.add("g" + i);
                }
                assertEquals(expected, now);

                // rm -rf: read a batch from the start, unlink it, until nothing is left
                int rounds = 0;
                for (List<DirEntry> b = batch(vfs, h, 0, 64); !b.isEmpty(); b = batch(vfs, h, 0, 64)) {
                    for (DirEntry e : b) {
                        vfs.unlink(d, e.name());
                    }
                    assertTrue(++rounds < 100, "rm -rf pattern does not terminate");
                }
            } finally {
                vfs.releasedir(h);
            }
            assertEquals(2, vfs.getattr(d).nlink());
        }
        Gfs2Tools.assertFsckClean(img);
    }
}
