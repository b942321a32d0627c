package org.gfs2j.fs.mount;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.gfs2j.fs.testing.AckedNamespace;
import org.gfs2j.fs.alloc.TestMount;
import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.meta.Inode;
import org.gfs2j.fs.meta.NoSuchPathException;
import org.gfs2j.fs.testing.Gfs2Tools;
import org.gfs2j.journal.testing.CrashHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of {@link RwCrashWorkload} at random moments; then a read-write mount (journal replay,
 * interrupted removals finished) and a clean unmount: fsck.gfs2 -n is clean, every fsynced file
 * has its exact contents, every fsynced delete stays deleted. {@code -Dgfs2j.crash.runs=N}.
 */
class RwCrashTest {
    @TempDir
    Path dir;

    @Test
    void fsyncedFilesSurviveKillNine() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path template = TestMount.mkfs(dir, "template.img", 256, 64, 4096);
        Path image = dir.resolve("run.img");
        List<CrashHarness.Run> runs = CrashHarness.run(
                new CrashHarness.Config(RwCrashWorkload.class, 5, 7_20261124L, 1500),
                CrashHarness.Setup.freshCopy(template, image),
                (run, seed, acked, args) -> verify(image, acked));
        assertFalse(runs.isEmpty());
        assertTrue(runs.stream().mapToInt(CrashHarness.Run::acknowledged).sum() > 0, "no run acknowledged anything");
    }

    private static void verify(Path image, List<String> acked) throws Exception {
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(image, MountConfig.of(0))) {
            assertTrue(vfs.isWritable());
        }
        Gfs2Tools.assertFsckClean(image);
        AckedNamespace ns = AckedNamespace.of(acked);
        try (FileSystemReader r = FileSystemReader.open(image)) {
            for (var e : ns.present.entrySet()) {
                Inode f;
                try {
                    f = r.resolve(e.getKey());
                } catch (NoSuchPathException ex) {
                    if (ns.maybeDeleted.contains(e.getKey())) {
                        continue;
                    }
                    throw new AssertionError("fsynced " + e.getKey() + " lost");
                }
                int size = Integer.parseInt(e.getValue()[0]);
                assertEquals(size, f.dinode().size(), e.getKey());
                assertArrayEquals(RwCrashWorkload.content(e.getKey(), size),
                        r.file(f).readAll(Integer.MAX_VALUE), e.getKey());
            }
            for (String name : ns.deleted) {
                boolean gone;
                try {
                    r.resolve(name);
                    gone = false;
                } catch (NoSuchPathException ex) {
                    gone = true;
                }
                assertTrue(gone, "fsynced delete of " + name + " undone");
            }
        }
    }
}
