package org.gfs2j.fs.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.gfs2j.fs.testing.AckedNamespace;
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
                CrashHarness.Setup.freshCopy(template, image),
                (run, seed, acked, args) -> verify(image, acked));
        assertFalse(runs.isEmpty());
        assertTrue(runs.stream().mapToInt(CrashHarness.Run::acknowledged).sum() > 0, "no run acknowledged anything");
    }

    private static void verify(Path image, List<String> acked) throws Exception {
        try (TestMount m = TestMount.open(image, 128)) {
            assertTrue(m.log.isUsable());
        }
        Gfs2Tools.assertFsckClean(image);
        AckedNamespace ns = AckedNamespace.of(acked);
        try (FileSystemReader r = FileSystemReader.open(image)) {
            Inode root = r.root();
            for (var e : ns.present.entrySet()) {
                var found = r.lookup(root, e.getKey());
                if (found.isEmpty() && ns.maybeDeleted.contains(e.getKey())) {
                    continue;
                }
                Inode f = found.orElseThrow(() -> new AssertionError("fsynced " + e.getKey() + " lost"));
                assertEquals(Long.parseLong(e.getValue()[0]), f.addr(), e.getKey());
                long blocks = Long.parseLong(e.getValue()[1]);
                assertEquals(blocks * r.geometry().bsize(), f.dinode().size(), e.getKey());
                assertEquals(1 + blocks, f.dinode().blocks(), e.getKey());
            }
            for (String name : ns.deleted) {
                assertTrue(r.lookup(root, name).isEmpty(), "fsynced delete of " + name + " undone");
            }
        }
    }
}
