package org.gfs2j.bench.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One fio job with buffered I/O ({@code direct=0}): FUSE file systems without {@code direct_io}
 * go through the page cache, so the peers do too, and durability is measured with an fsync at the
 * end ({@code end_fsync=1}, counted in fio's run time) instead of O_DIRECT.
 *
 * <p>Sequential jobs move a fixed amount (stopping early at a time cap, so that a slow target cannot
 * blow the run's time budget) and report MiB/s; random jobs run for a fixed time on a file laid
 * out in {@link #prepare} and report IOPS and the 99th percentile completion latency.
 * The page cache is synced and dropped before every repetition, so reads are cold and no
 * write-back left over from an earlier step runs while a job is timed.
 */
public final class FioWorkload implements Workload {
    /** How the job is shaped. */
    public record Spec(String id, String label, String rw, String blockSize, long fileBytes,
                       String ioEngine, int ioDepth, boolean endFsync, int runtimeSeconds,
                       boolean timeBased, String dataFile) {
        boolean random() {
            return rw.startsWith("rand");
        }

        boolean reads() {
            return rw.endsWith("read");
        }
    }

    private final Spec spec;
    private final Duration timeout;

    public FioWorkload(Spec spec) {
        this.spec = spec;
        // A slow target must not hang the run: allow for 5 MiB/s or the run time, generously.
        long seconds = 120 + spec.runtimeSeconds() * 4L + spec.fileBytes() / (5L << 20);
        this.timeout = Duration.ofSeconds(seconds);
    }

    public Spec spec() {
        return spec;
    }

    @Override
    public String id() {
        return spec.id();
    }

    @Override
    public List<Figure> figures() {
        if (!spec.random()) {
            return List.of(Figure.higher(spec.id(), spec.label(), "MiB/s", "throughput"));
        }
        return List.of(
                Figure.higher(spec.id() + ".iops", spec.label(), "IOPS", "IOPS"),
                Figure.lower(spec.id() + ".p99", spec.label() + ", p99 latency", "µs", "latency"));
    }

    @Override
    public Optional<String> unavailableReason() {
        return Commands.exists("fio") ? Optional.empty() : Optional.of("fio is not installed (apt-get install fio)");
    }

    @Override
    public void prepare(WorkloadContext ctx) throws Exception {
        if (spec.dataFile() == null) {
            return;
        }
        Path file = ctx.shared().resolve(spec.dataFile());
        if (Files.exists(file) && Files.size(file) >= spec.fileBytes()) {
            return; // laid out by an earlier workload on this mount
        }
        List<String> cmd = List.of("fio", "--name=layout", "--filename=" + file, "--rw=write", "--bs=1m",
                "--size=" + spec.fileBytes(), "--ioengine=psync", "--end_fsync=1", "--fallocate=none",
                "--output-format=json");
        FioResult.parse(Commands.run(cmd, timeout).check().stdout(), "write");
    }

    @Override
    public Map<String, Double> measure(WorkloadContext ctx) throws Exception {
        Path file = spec.dataFile() == null ? ctx.dir().resolve(spec.id() + ".dat")
                : ctx.shared().resolve(spec.dataFile());
        if (spec.dataFile() == null) {
            Files.deleteIfExists(file); // every sequential write starts from an empty file
        }
        // Every repetition starts from the same state: nothing dirty left by the step before being
        // written back while this one is timed, and nothing cached (reads are cold).
        ctx.caches().drop();
        Commands.Result r = Commands.run(command(file), timeout);
        if (!r.ok()) {
            throw new IOException("fio exited " + r.exitCode() + ": " + r.lastLine());
        }
        FioResult res = FioResult.parse(r.stdout(), spec.reads() ? "read" : "write");
        Map<String, Double> out = new LinkedHashMap<>();
        if (!spec.random()) {
            out.put(spec.id(), res.mibPerSecond());
        } else {
            out.put(spec.id() + ".iops", res.iops());
            out.put(spec.id() + ".p99", res.clatP99Nanos() / 1000.0);
        }
        return out;
    }

    List<String> command(Path file) {
        List<String> c = new ArrayList<>(List.of("fio", "--name=" + spec.id(), "--filename=" + file,
                "--rw=" + spec.rw(), "--bs=" + spec.blockSize(), "--size=" + spec.fileBytes(),
                "--ioengine=" + spec.ioEngine(), "--iodepth=" + spec.ioDepth(), "--direct=0",
                "--end_fsync=" + (spec.endFsync() ? 1 : 0), "--fallocate=none", "--invalidate=1",
                "--output-format=json"));
        if (spec.timeBased()) {
            c.add("--time_based"); // run the whole time, going round the file again if need be
        }
        if (spec.runtimeSeconds() > 0) {
            c.add("--runtime=" + spec.runtimeSeconds()); // without time_based: a cap for slow targets
        }
        if (spec.dataFile() == null) {
            c.add("--unlink=1");
        }
        return c;
    }
}
