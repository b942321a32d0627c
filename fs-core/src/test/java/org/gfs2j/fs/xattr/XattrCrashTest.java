package org.gfs2j.fs.xattr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gfs2j.fs.alloc.TestMount;
import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.meta.Inode;
import org.gfs2j.fs.meta.Xattr;
import org.gfs2j.fs.mount.MountConfig;
import org.gfs2j.fs.mount.ReadWriteGfs2Vfs;
import org.gfs2j.fs.testing.Gfs2Tools;
import org.gfs2j.journal.testing.CrashHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of {@link XattrCrashWorkload}; then a read-write mount (journal replay) and a clean
 * unmount: fsck.gfs2 -n is clean, every attribute is in the state of its last acknowledged
 * operation or of one that came after it, and every acknowledged data file (often written into
 * blocks a removed value had) has its exact contents. {@code -Dgfs2j.crash.runs=N}.
 */
class XattrCrashTest {
    private static final int ABSENT = -1;

    @TempDir
    Path dir;

    @Test
    void attributesSurviveKillNine() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path template = TestMount.mkfs(dir, "template.img", 128, 64, 4096);
        Path image = dir.resolve("run.img");
        List<CrashHarness.Run> runs = CrashHarness.run(
                new CrashHarness.Config(XattrCrashWorkload.class, 3, 9_20261124L, 2500),
                CrashHarness.Setup.freshCopy(template, image),
                (run, seed, acked, args) -> verify(image, acked));
        assertFalse(runs.isEmpty());
        assertTrue(runs.stream().mapToInt(CrashHarness.Run::acknowledged).sum() > 0, "no run acknowledged anything");
    }

    private static void verify(Path image, List<String> lines) throws Exception {
        long durable = -1;
        Map<String, List<long[]>> history = new LinkedHashMap<>(); // name -> (op index, size or ABSENT)
        Map<String, long[]> files = new HashMap<>();
        for (String l : lines) {
            String[] w = l.split(" ");
            if (w[0].equals("ACK")) {
                durable = Long.parseLong(w[1]);
            } else if (w[0].equals("OP")) {
                long i = Long.parseLong(w[1]);
                switch (w[2]) {
                    case "SET" -> history.computeIfAbsent(w[3], k -> new ArrayList<>()).add(new long[] {i, Long.parseLong(w[4])});
                    case "REMOVE" -> history.computeIfAbsent(w[3], k -> new ArrayList<>()).add(new long[] {i, ABSENT});
                    case "FILE" -> files.put(w[3], new long[] {i, Long.parseLong(w[4])});
                    default -> throw new AssertionError("unexpected line " + l);
                }
            }
        }
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(image, MountConfig.of(0))) {
            assertTrue(vfs.isWritable());
        }
        Gfs2Tools.assertFsckClean(image);
        try (FileSystemReader r = FileSystemReader.open(image)) {
            Inode x = r.resolve("/x");
            Map<String, byte[]> actual = new HashMap<>();
            for (Xattr a : r.xattrs(x).list()) {
                actual.put(a.linuxName(), a.value());
            }
            for (var e : history.entrySet()) {
                List<Long> allowed = new ArrayList<>();
                long atDurable = ABSENT;
                for (long[] op : e.getValue()) {
                    if (op[0] <= durable) {
                        atDurable = op[1];
                    } else {
                        allowed.add(op[1]);
                    }
                }
                allowed.add(atDurable);
                byte[] v = actual.remove(e.getKey());
                long found = v == null ? ABSENT : v.length;
                assertTrue(allowed.contains(found), e.getKey() + ": " + found + " bytes, expected one of " + allowed
                        + " (durable up to op " + durable + ")");
                if (v != null) {
                    assertArrayEquals(XattrCrashWorkload.content(e.getKey(), v.length), v, e.getKey());
                }
            }
            assertEquals(Map.of(), actual, "attributes nobody set");
            for (var f : files.entrySet()) {
                if (f.getValue()[0] > durable) {
                    continue;
                }
                Inode i = r.resolve("/" + f.getKey());
                int size = (int) f.getValue()[1];
                assertEquals(size, i.dinode().size(), f.getKey());
                assertArrayEquals(XattrCrashWorkload.content(f.getKey(), size), r.file(i).readAll(Integer.MAX_VALUE),
                        f.getKey());
            }
        }
    }
}
