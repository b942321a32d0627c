package org.gfs2j.bench.fs;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The file-system benchmark runner behind {@code gfs2j bench fs}: sets up each target in turn on a
 * fresh image, runs every workload on it the configured number of times, tears it down (also when
 * something failed, and from a shutdown hook on Ctrl-C), and writes the report, charts and CSV.
 *
 * <p>A target that cannot be set up is reported as unavailable with its reason and the run goes on;
 * a workload that fails on a target is reported as failed for that target only.
 */
public final class FsBench {
    /** The directory on each mount under which the workloads run. */
    static final String ROOT = "gfs2j-bench";

    private final FsBenchOptions options;
    private final TargetRegistry registry;
    private final PrintStream out;
    private final CacheDropper caches;
    private final AtomicReference<Target> active = new AtomicReference<>();
    private final AtomicBoolean cancelled = new AtomicBoolean();

    public FsBench(FsBenchOptions options, TargetRegistry registry, PrintStream progressOut) {
        this(options, registry, progressOut, new CacheDropper());
    }

    public FsBench(FsBenchOptions options, TargetRegistry registry, PrintStream progressOut, CacheDropper caches) {
        this.options = options;
        this.registry = registry;
        this.out = progressOut;
        this.caches = caches;
    }

    /** Runs every selected target and workload; never throws for a target or workload failing. */
    public Results run() throws IOException {
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        Path workdir = options.workdir().toAbsolutePath().normalize();
        Files.createDirectories(workdir);
        List<Target> targets = registry.create(options.targets(),
                new TargetOptions(options.scale().imageBytes(), options.gfs2jCommand()));
        List<String> leftovers = cleanLeftovers(workdir);

        String engine = asyncEngine(workdir);
        List<Workload> workloads = options.scale().workloads(engine);
        Results results = new Results(options.scale(), workloads);
        leftovers.forEach(results::addNote);
        results.addNote("Queue depth 16 uses fio's " + engine + " engine; queue depth 1 uses psync. All fio"
                + " jobs use buffered I/O (direct=0).");
        Map<String, String> machine = new java.util.LinkedHashMap<>(MachineInfo.collect(workdir));
        String loadBefore = MachineInfo.loadAverage();

        int reps = options.scale().repetitions();
        Progress progress = new Progress(out, targets.size() * workloads.size() * reps);
        progress.info("gfs2j bench fs (" + options.scale().name() + "): " + targets.size() + " targets, "
                + workloads.size() + " workloads, " + reps + (reps == 1 ? " repetition" : " repetitions")
                + "; work directory " + workdir);

        Thread hook = new Thread(this::abort, "gfs2j-bench-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            for (Target t : targets) {
                if (cancelled.get()) {
                    break;
                }
                runTarget(t, workdir, workloads, results, progress);
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run; it tears down what is left
            }
        }
        if (caches.skippedReason() != null) {
            results.addNote(caches.skippedReason());
        }
        machine.put("load average (1 min)", loadBefore + " at the start, " + MachineInfo.loadAverage()
                + " at the end, on " + Runtime.getRuntime().availableProcessors() + " cores");
        results.machine(machine);
        results.timing(started, Duration.ofNanos(System.nanoTime() - t0));
        progress.info("done in " + results.elapsed().toSeconds() + " s");
        return results;
    }

    /** Writes the markdown report, charts and CSV; returns the files written. */
    public List<Path> writeReport(Results results) throws IOException {
        Path outDir = options.outDir();
        Path chartDir = outDir.resolve("bench");
        Files.createDirectories(chartDir);
        List<Path> written = new ArrayList<>();
        Path report = outDir.resolve(options.reportName());
        Files.writeString(report, new MarkdownReport(results, options.ratioPairs(), "bench",
                options.commandLine()).render(), StandardCharsets.UTF_8);
        written.add(report);
        Path csv = chartDir.resolve("results.csv");
        Files.writeString(csv, CsvReport.render(results), StandardCharsets.UTF_8);
        written.add(csv);
        written.addAll(Charts.write(results, options.baseline(), chartDir));
        return written;
    }

    private void runTarget(Target t, Path workdir, List<Workload> workloads, Results results, Progress progress) {
        int steps = workloads.size() * options.scale().repetitions();
        Optional<String> why = t.unavailableReason();
        if (why.isPresent()) {
            results.addTarget(new Results.TargetStatus(t.name(), t.description(), t.versions(), why.get()));
            progress.skip(steps, t.name() + ": unavailable: " + why.get());
            return;
        }
        progress.info(t.name() + ": setting up");
        active.set(t);
        try {
            Path mnt;
            try {
                mnt = t.setUp(workdir);
            } catch (Exception e) {
                String reason = "set-up failed: " + message(e);
                results.addTarget(new Results.TargetStatus(t.name(), t.description(), t.versions(), reason));
                progress.skip(steps, t.name() + ": unavailable: " + reason);
                return;
            }
            results.addTarget(new Results.TargetStatus(t.name(), t.description(), t.versions(), null));
            Path root = mnt.resolve(ROOT);
            for (Workload w : workloads) {
                if (cancelled.get()) {
                    return;
                }
                runWorkload(t, w, root, results, progress);
            }
        } finally {
            progress.info(t.name() + ": tearing down");
            try {
                t.tearDown();
            } catch (Exception e) {
                results.addNote("Tearing down " + t.name() + " reported: " + message(e));
            }
            active.set(null);
        }
    }

    private void runWorkload(Target t, Workload w, Path root, Results results, Progress progress) {
        int reps = options.scale().repetitions();
        Optional<String> why = w.unavailableReason();
        if (why.isPresent()) {
            results.addFailure(t.name(), w.id(), why.get());
            progress.skip(reps, t.name() + " " + w.id() + ": skipped: " + why.get());
            return;
        }
        Path dir = root.resolve(w.id());
        int done = 0;
        try {
            Files.createDirectories(dir);
            Path shared = root.resolve("shared");
            Files.createDirectories(shared);
            WorkloadContext ctx = new WorkloadContext(dir, shared, caches);
            w.prepare(ctx);
            for (int rep = 1; rep <= reps; rep++) {
                if (cancelled.get()) {
                    throw new IOException("cancelled");
                }
                Map<String, Double> values = w.measure(ctx);
                StringBuilder line = new StringBuilder();
                for (Figure f : w.figures()) {
                    Double v = values.get(f.id());
                    if (v == null || !Double.isFinite(v)) {
                        throw new IOException("produced no value for " + f.id());
                    }
                    results.addSample(t.name(), f.id(), v);
                    line.append(line.length() == 0 ? "" : ", ").append(MarkdownReport.number(v)).append(' ')
                            .append(f.unit());
                }
                done++;
                progress.step(String.format(Locale.ROOT, "%s %s %d/%d: %s", t.name(), w.id(), rep, reps, line));
            }
        } catch (Exception e) {
            results.addFailure(t.name(), w.id(), message(e));
            progress.skip(reps - done, t.name() + " " + w.id() + ": failed: " + message(e));
        } finally {
            try {
                FileTrees.deleteRecursively(dir);
            } catch (IOException e) {
                // the image goes away with the target; a leftover scratch file costs nothing
            }
        }
    }

    /** Ctrl-C: stop, kill the tools still running, and tear down the target that is set up. */
    private void abort() {
        cancelled.set(true);
        Commands.killRunning();
        Target t = active.get();
        if (t != null) {
            try {
                t.tearDown();
                System.err.println("gfs2j bench: interrupted; " + t.name() + " torn down");
            } catch (Exception e) {
                System.err.println("gfs2j bench: interrupted; tearing down " + t.name() + " failed: " + message(e));
            }
        }
    }

    /**
     * Unmounts and detaches what a killed earlier run left under the work directory, so that a new
     * run starts clean and nothing stays behind for good.
     */
    static List<String> cleanLeftovers(Path workdir) {
        List<String> notes = new ArrayList<>();
        try {
            for (Mounts.MountEntry m : Mounts.under(workdir)) {
                Mounts.unmount(m.mountPoint());
                notes.add("Unmounted " + m.mountPoint() + ", left behind by an earlier run.");
            }
            for (Path loop : LoopDevice.backedBy(workdir)) {
                LoopDevice.detach(loop);
                notes.add("Detached " + loop + ", left behind by an earlier run.");
            }
        } catch (IOException e) {
            notes.add("Could not clean up after an earlier run: " + e.getMessage());
        }
        return notes;
    }

    /** io_uring where fio and the kernel allow it (it runs buffered reads asynchronously), else libaio. */
    static String asyncEngine(Path workdir) {
        if (!Commands.exists("fio")) {
            return "libaio";
        }
        Path probe = workdir.resolve("io_uring-probe.dat");
        try {
            Commands.Result r = Commands.run(List.of("fio", "--name=probe", "--filename=" + probe, "--size=1m",
                    "--rw=randread", "--bs=4k", "--ioengine=io_uring", "--iodepth=4", "--output-format=json"),
                    Duration.ofSeconds(60));
            if (r.ok()) {
                FioResult.parse(r.stdout(), "read");
                return "io_uring";
            }
        } catch (IOException e) {
            // no io_uring: fall back
        } finally {
            try {
                Files.deleteIfExists(probe);
            } catch (IOException e) {
                // harmless
            }
        }
        return "libaio";
    }

    static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.replace('\n', ' ');
    }
}
