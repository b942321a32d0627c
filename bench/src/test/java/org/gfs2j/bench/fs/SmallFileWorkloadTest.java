package org.gfs2j.bench.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmallFileWorkloadTest {
    @TempDir
    Path tmp;

    @Test
    void writesFsyncsAndVerifiesEveryFileThenRemovesThem() throws Exception {
        AtomicInteger drops = new AtomicInteger();
        CacheDropper counting = new CacheDropper() {
            @Override
            public boolean drop() {
                drops.incrementAndGet();
                return true;
            }
        };
        SmallFileWorkload w = new SmallFileWorkload(250);
        Map<String, Double> v = w.measure(new WorkloadContext(tmp, tmp, counting));
        assertEquals(2, v.size());
        assertTrue(v.get("small-files.write") > 0);
        assertTrue(v.get("small-files.read") > 0);
        assertEquals(1, drops.get(), "caches are dropped once, between writing and reading back");
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(0, left.count(), "the repetition's files are removed");
        }
    }
}
