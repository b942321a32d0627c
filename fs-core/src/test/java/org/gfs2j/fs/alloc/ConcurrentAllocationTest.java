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
                        long g1 = m.rgrps.get(rnd.nextInt(m.rgrps.size())).index().data0();
                        long g2 = m.rgrps.get(rnd.nextInt(m.rgrps.size())).index().data0();
                        int n1 = 1 + rnd.nextInt(30);
                        int n2 = 1 + rnd.nextInt(30);
                        if (i % 2 == 0) {
                            // the documented order: rgrp glocks first, then the transaction
                            try (RgrpLocks locks = m.alloc.reserveRgrps(g1, n1 + n2);
                                 FsTransaction tx = FsTransaction.begin(m.cache, txBlocks, 0)) {
                                m.alloc.use(tx, locks);
                                runs = new ArrayList<>(m.alloc.allocate(tx, g1, n1));
                                runs.addAll(m.alloc.allocate(tx, g2, n2));
                                tx.commit();
                            }
                        } else {
                            // the fallback: rgrps locked inside the transaction, the second goal maybe below the first
                            try (FsTransaction tx = FsTransaction.begin(m.cache, txBlocks, 0)) {
                                runs = new ArrayList<>(m.alloc.allocate(tx, g1, n1));
                                runs.addAll(m.alloc.allocate(tx, g2, n2));
                                tx.commit();
                            }
                        }
                        for (BlockRun r : runs) {
                            for (long b = r.start(); b < r.end(); b++) {
                                if (!handedOut.add(b)) {
                                    duplicates.add(b);
                                }
                            }
                        }
                        try (RgrpLocks locks = m.alloc.lockRgrpsForFree(runs.stream().map(BlockRun::start).toList());
                             FsTransaction tx = FsTransaction.begin(m.cache, txBlocks, 0)) {
                            m.alloc.use(tx, locks);
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
