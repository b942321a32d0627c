package org.gfs2j.bench.fs;

import java.util.ArrayList;
import java.util.List;

/**
 * How big the run is. {@link #full()} is sized to finish three targets in under 15 minutes on a
 * 2-core machine: sequential jobs move 1 GiB but stop after 20 s, random jobs run 5 s; {@link
 * #quick()} is a smoke test that every workload runs (about 20 s a target), never a measurement.
 */
public record BenchScale(String name, long imageBytes, long seqBytes, long randFileBytes,
                         int randRuntimeSeconds, int seqCapSeconds, int repetitions, int smallFiles,
                         int metadataFiles, int metadataDirs, int metadataThreads) {
    private static final long MIB = 1L << 20;

    public static BenchScale full() {
        return new BenchScale("full", 4096 * MIB, 1024 * MIB, 512 * MIB, 5, 20, 3, 2000, 5000, 10, 4);
    }

    public static BenchScale quick() {
        return new BenchScale("quick", 256 * MIB, 16 * MIB, 16 * MIB, 1, 5, 1, 50, 200, 4, 2);
    }

    public BenchScale withRepetitions(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("repetitions must be at least 1");
        }
        return new BenchScale(name, imageBytes, seqBytes, randFileBytes, randRuntimeSeconds, seqCapSeconds, n,
                smallFiles, metadataFiles, metadataDirs, metadataThreads);
    }

    public BenchScale withImageBytes(long bytes) {
        return new BenchScale(name, bytes, seqBytes, randFileBytes, randRuntimeSeconds, seqCapSeconds,
                repetitions, smallFiles, metadataFiles, metadataDirs, metadataThreads);
    }

    /**
     * The workloads, in the order they run on each target.
     *
     * @param asyncEngine fio engine for queue depth 16 (io_uring where the kernel allows it, else libaio)
     */
    public List<Workload> workloads(String asyncEngine) {
        List<Workload> w = new ArrayList<>();
        w.add(fio("seq-write", "sequential write, 1 MiB blocks, no fsync", "write", "1m", seqBytes,
                "psync", 1, false, seqCapSeconds, false, null));
        w.add(fio("seq-write-fsync", "sequential write, 1 MiB blocks, fsync at end", "write", "1m",
                seqBytes, "psync", 1, true, seqCapSeconds, false, null));
        w.add(fio("seq-read", "sequential read, 1 MiB blocks, cold", "read", "1m", seqBytes,
                "psync", 1, false, seqCapSeconds, false, "seq.dat"));
        w.add(fio("rand-read-qd1", "random read 4 KiB, qd 1, cold", "randread", "4k", randFileBytes,
                "psync", 1, false, randRuntimeSeconds, true, "rand.dat"));
        w.add(fio("rand-read-qd16", "random read 4 KiB, qd 16 (" + asyncEngine + "), cold", "randread", "4k",
                randFileBytes, asyncEngine, 16, false, randRuntimeSeconds, true, "rand.dat"));
        w.add(fio("rand-write-qd1", "random write 4 KiB, qd 1, fsync at end", "randwrite", "4k", randFileBytes,
                "psync", 1, true, randRuntimeSeconds, true, "rand.dat"));
        w.add(fio("rand-write-qd16", "random write 4 KiB, qd 16 (" + asyncEngine + "), fsync at end",
                "randwrite", "4k", randFileBytes, asyncEngine, 16, true, randRuntimeSeconds, true, "rand.dat"));
        w.add(new SmallFileWorkload(smallFiles));
        w.add(new MetadataWorkload(metadataFiles, metadataDirs, 1));
        w.add(new MetadataWorkload(metadataFiles, metadataDirs, metadataThreads));
        return w;
    }

    private static FioWorkload fio(String id, String label, String rw, String bs, long bytes, String engine,
                                   int depth, boolean endFsync, int runtime, boolean timeBased,
                                   String dataFile) {
        return new FioWorkload(new FioWorkload.Spec(id, label, rw, bs, bytes, engine, depth, endFsync,
                runtime, timeBased, dataFile));
    }
}
