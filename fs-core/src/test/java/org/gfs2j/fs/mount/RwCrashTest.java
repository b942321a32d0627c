package org.gfs2j.fs.mount;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
                (run, seed) -> {
                    Files.copy(template, image, StandardCopyOption.REPLACE_EXISTING);
                    return List.of(image.toString(), Long.toString(seed));
                },
                (run, seed, acked, args) -> verify(image, acked));
        assertFalse(runs.isEmpty());
        assertTrue(runs.stream().mapToInt(CrashHarness.Run::acknowledged).sum() > 0, "no run acknowledged anything");
    }

    private static void verify(Path image, List<String> acked) throws Exception {
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(image, MountConfig.of(0))) {
            assertTrue(vfs.isWritable());
        }
        Gfs2Tools.assertFsckClean(image);
        Map<String, Integer> present = new LinkedHashMap<>();
        Set<String> maybeDeleted = new HashSet<>();
        List<String> deleted = new java.util.ArrayList<>();
        for (String line : acked) {
            String[] f = line.split(" ");
            if (f[0].equals("DELETING")) {
                maybeDeleted.add(f[1]);
                continue;
            }
            assertEquals("ACK", f[0], line);
            if (f[1].equals("CREATE")) {
                present.put(f[2], Integer.parseInt(f[3]));
            } else {
                present.remove(f[2]);
                deleted.add(f[2]);
            }
        }
        try (FileSystemReader r = FileSystemReader.open(image)) {
            for (var e : present.entrySet()) {
                Inode f;
                try {
                    f = r.resolve(e.getKey());
                } catch (NoSuchPathException ex) {
                    if (maybeDeleted.contains(e.getKey())) {
                        continue;
                    }
                    throw new AssertionError("fsynced " + e.getKey() + " lost");
                }
                assertEquals(e.getValue().longValue(), f.dinode().size(), e.getKey());
                assertArrayEquals(RwCrashWorkload.content(e.getKey(), e.getValue()),
                        r.file(f).readAll(Integer.MAX_VALUE), e.getKey());
            }
            for (String name : deleted) {
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
