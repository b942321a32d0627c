package org.gfs2j.fs.alloc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.gfs2j.fs.cache.FsTransaction;
import org.gfs2j.fs.testing.Gfs2Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several threads allocate (goals in random rgrps, so transactions meet rgrps in both orders)
 * and free again: no deadlock (ascending glocks, try locks for lower rgrps), no block handed out
 * twice, counts back where they started, fsck clean.
 */
class ConcurrentAllocationTest {
    @TempDir
    Path dir;

    @Test
    void threadsAllocatingInEveryOrderNeitherDeadlockNorShareBlocks() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "img", 160, 32, 4096);
        try (TestMount m = TestMount.open(img, 256)) {
            long freeAtStart = m.alloc.freeBlocks();
            Set<Long> handedOut = Collections.synchronizedSet(new HashSet<>());
            List<Long> duplicates = Collections.synchronizedList(new ArrayList<>());
            int threads = 4;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = 77 + t;
                results.add(pool.submit(() -> {
                    Random rnd = new Random(seed);
                    int done = 0;
                    int txBlocks = m.alloc.logBlocksFor(m.rgrps.size());
                    for (int i = 0; i < 40; i++) {
                        List<BlockRun> runs;
                        try (FsTransaction tx = FsTransaction.begin(m.cache, txBlocks, 0)) {
                            // two allocations with goals in different rgrps: the second may be below the first
                            long g1 = m.rgrps.get(rnd.nextInt(m.rgrps.size())).index().data0();
                            long g2 = m.rgrps.get(rnd.nextInt(m.rgrps.size())).index().data0();
                            runs = new ArrayList<>(m.alloc.allocate(tx, g1, 1 + rnd.nextInt(30)));
                            runs.addAll(m.alloc.allocate(tx, g2, 1 + rnd.nextInt(30)));
                            tx.commit();
                        }
                        for (BlockRun r : runs) {
                            for (long b = r.start(); b < r.end(); b++) {
                                if (!handedOut.add(b)) {
                                    duplicates.add(b);
                                }
                            }
                        }
                        try (FsTransaction tx = FsTransaction.begin(m.cache, txBlocks, 0)) {
                            m.alloc.lockForFree(tx, runs.stream().map(BlockRun::start).toList());
                            for (BlockRun r : runs) {
                                for (long b = r.start(); b < r.end(); b++) {
                                    handedOut.remove(b);
                                }
                                m.alloc.free(tx, r.start(), r.length(), false);
                            }
                            tx.commit();
                        }
                        done++;
                    }
                    return done;
                }));
            }
            pool.shutdown();
            assertTrue(pool.awaitTermination(120, TimeUnit.SECONDS), "allocating threads deadlocked");
            for (Future<Integer> f : results) {
                assertEquals(40, f.get());
            }
            assertEquals(List.of(), duplicates, "blocks handed out twice");
            assertEquals(freeAtStart, m.alloc.freeBlocks());
        }
        Gfs2Tools.assertFsckClean(img);
    }
}
