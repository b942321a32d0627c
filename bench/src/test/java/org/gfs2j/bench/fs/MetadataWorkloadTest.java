package org.gfs2j.bench.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetadataWorkloadTest {
    @TempDir
    Path tmp;

    @Test
    void everyPhaseRunsOnAPlainDirectoryAndLeavesNothingBehind() throws IOException {
        Path root = tmp.resolve("md");
        Map<MetadataWorkload.Phase, Double> rates = MetadataWorkload.run(root, 300, 7, 1, CacheDropper.none());
        assertEquals(MetadataWorkload.Phase.values().length, rates.size());
        rates.forEach((phase, rate) -> assertTrue(rate > 0, phase + " rate " + rate));
        assertFalse(Files.exists(root), "the workload removes its directories");
    }

    @Test
    void severalThreadsShareTheDirectoriesAndStillSeeEveryFile() throws IOException {
        // 3 threads over 2 directories: one thread lists nothing, the others must see all 301 files.
        Map<MetadataWorkload.Phase, Double> rates = MetadataWorkload.run(tmp.resolve("md"), 301, 2, 3, CacheDropper.none());
        assertTrue(rates.get(MetadataWorkload.Phase.READDIR) > 0);
        assertFalse(Files.exists(tmp.resolve("md")));
    }

    @Test
    void aListingThatDoesNotMatchWhatWasCreatedFailsTheWorkload() throws IOException {
        Path root = tmp.resolve("md");
        Files.createDirectories(root.resolve("d0"));
        Files.createFile(root.resolve("d0").resolve("stray"));
        IOException e = assertThrows(IOException.class, () -> MetadataWorkload.run(root, 50, 2, 1, CacheDropper.none()));
        assertTrue(e.getMessage().contains("readdir saw 51 entries"), e.getMessage());
    }

    @Test
    void measureReturnsAValueForEveryFigure() throws Exception {
        MetadataWorkload w = new MetadataWorkload(40, 3, 2);
        Path dir = Files.createDirectories(tmp.resolve("w"));
        AtomicInteger drops = new AtomicInteger();
        CacheDropper counting = new CacheDropper() {
            @Override
            public boolean drop() {
                drops.incrementAndGet();
                return true;
            }
        };
        Map<String, Double> values = w.measure(new WorkloadContext(dir, tmp, counting));
        assertEquals(4, drops.get(), "caches dropped before every phase after create");
        assertEquals("metadata-2t", w.id());
        for (Figure f : w.figures()) {
            assertTrue(values.containsKey(f.id()), "missing " + f.id());
            assertTrue(f.higherIsBetter());
        }
        assertEquals(w.figures().size(), values.size());
    }
}
