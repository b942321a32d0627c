package org.gfs2j.fs.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.meta.Inode;
import org.gfs2j.fs.testing.Gfs2Tools;
import org.gfs2j.journal.testing.CrashHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of {@link AllocCrashWorkload} at random moments; then mount (replays the journal),
 * unmount cleanly (statfs sync, write-back): fsck.gfs2 -n must be clean and every fsynced create
 * or delete must be there with its blocks. {@code -Dgfs2j.crash.runs=N} for more runs (default 10).
 */
class AllocCrashTest {
    @TempDir
    Path dir;

    @Test
    void fsyncedAllocationsSurviveKillNine() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path template = TestMount.mkfs(dir, "template.img", 128, 32, 4096);
        Path image = dir.resolve("run.img");
        List<CrashHarness.Run> runs = CrashHarness.run(
                new CrashHarness.Config(AllocCrashWorkload.class, 10, 4_20261124L, 2000),
                (run, seed) -> {
                    Files.copy(template, image, StandardCopyOption.REPLACE_EXISTING);
                    return List.of(image.toString(), Long.toString(seed));
                },
                (run, seed, acked, args) -> verify(image, acked));
        assertFalse(runs.isEmpty());
        assertTrue(runs.stream().mapToInt(CrashHarness.Run::acknowledged).sum() > 0, "no run acknowledged anything");
    }

    private static void verify(Path image, List<String> acked) throws Exception {
        try (TestMount m = TestMount.open(image, 128)) {
            assertTrue(m.log.isUsable());
        }
        Gfs2Tools.assertFsckClean(image);
        Map<String, long[]> present = new LinkedHashMap<>();
        List<String> deleted = new java.util.ArrayList<>();
        java.util.Set<String> maybeDeleted = new java.util.HashSet<>();
        for (String line : acked) {
            String[] f = line.split(" ");
            if (f[0].equals("DELETING")) {
                maybeDeleted.add(f[1]);
                continue;
            }
            assertEquals("ACK", f[0], line);
            if (f[1].equals("CREATE")) {
                present.put(f[2], new long[] {Long.parseLong(f[3]), Long.parseLong(f[4])});
            } else {
                present.remove(f[2]);
                deleted.add(f[2]);
            }
        }
        try (FileSystemReader r = FileSystemReader.open(image)) {
            Inode root = r.root();
            for (var e : present.entrySet()) {
                var found = r.lookup(root, e.getKey());
                if (found.isEmpty() && maybeDeleted.contains(e.getKey())) {
                    continue;
                }
                Inode f = found.orElseThrow(() -> new AssertionError("fsynced " + e.getKey() + " lost"));
                assertEquals(e.getValue()[0], f.addr(), e.getKey());
                assertEquals(e.getValue()[1] * r.geometry().bsize(), f.dinode().size(), e.getKey());
                assertEquals(1 + e.getValue()[1], f.dinode().blocks(), e.getKey());
            }
            for (String name : deleted) {
                assertTrue(r.lookup(root, name).isEmpty(), "fsynced delete of " + name + " undone");
            }
        }
    }
}
