package org.gfs2j.bench.fs;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The file-system benchmark runner behind {@code gfs2j bench fs}: sets up every target on a fresh
 * image, runs each workload on all of them in turn, repetition by repetition, tears them down (also
 * when something failed, and from a shutdown hook on Ctrl-C), and writes the report, charts and CSV.
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
    /** The targets set up (or being set up) right now, for the shutdown hook. */
    private final List<Mounted> mounted = new CopyOnWriteArrayList<>();
    private final AtomicBoolean cancelled = new AtomicBoolean();
    /** With --profile: when each workload was measured on the profiled target. */
    private final List<JfrProfile.Window> windows = new CopyOnWriteArrayList<>();

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
                new TargetOptions(options.scale().imageBytes(), options.gfs2jCommand(), options.profile()));
        List<String> leftovers = cleanLeftovers(workdir);

        String engine = asyncEngine(workdir);
        List<Workload> workloads = options.scale().workloads(engine);
        Results results = new Results(options.scale(), workloads);
        leftovers.forEach(results::addNote);
        results.addNote("Queue depth 16 uses fio's " + engine + " engine; queue depth 1 uses psync. All fio"
                + " jobs use buffered I/O (direct=0).");
        Map<String, String> machine = new LinkedHashMap<>(MachineInfo.collect(workdir));
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
                if (!cancelled.get()) {
                    setUp(t, workdir, workloads.size() * reps, results, progress);
                }
            }
            for (Workload w : workloads) {
                if (cancelled.get()) {
                    break;
                }
                runWorkload(w, results, progress);
            }
        } finally {
            tearDownAll(results, progress);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run; it has torn down what was left
            }
        }
        if (options.profile()) {
            summarizeProfile(targets, results, progress);
        }
        if (caches.skippedReason() != null) {
            results.addNote(caches.skippedReason());
        }
        String loadAfter = MachineInfo.loadAverage();
        int cores = Runtime.getRuntime().availableProcessors();
        machine.put("load average (1 min)", loadBefore + " at the start, " + loadAfter + " at the end, on "
                + cores + " cores");
        if (busy(loadBefore, cores) || busy(loadAfter, cores)) {
            results.addNote("The machine was busy with other work while this ran (load average above its " + cores
                    + " cores): expect wide spreads, and trust ratios more than absolute figures.");
        }
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

    /** A target that was set up, and where its workloads run. */
    private record Mounted(Target target, Path root) {
    }

    private void setUp(Target t, Path workdir, int steps, Results results, Progress progress) {
        Optional<String> why = t.unavailableReason();
        if (why.isPresent()) {
            results.addTarget(new Results.TargetStatus(t.name(), t.description(), t.versions(), why.get()));
            progress.skip(steps, t.name() + ": unavailable: " + why.get());
            return;
        }
        progress.info(t.name() + ": setting up");
        mounted.add(new Mounted(t, null)); // torn down from here on, whatever happens
        try {
            Path mnt = t.setUp(workdir);
            mounted.set(mounted.size() - 1, new Mounted(t, mnt.resolve(ROOT)));
            results.addTarget(new Results.TargetStatus(t.name(), t.description(), t.versions(), null));
        } catch (Exception e) {
            String reason = "set-up failed: " + message(e);
            results.addTarget(new Results.TargetStatus(t.name(), t.description(), t.versions(), reason));
            progress.skip(steps, t.name() + ": unavailable: " + reason);
            tearDown(t, results);
            mounted.remove(mounted.size() - 1);
        }
    }

    /** --profile: the subject's recording (written when its daemon exited), cut into the workloads' windows. */
    private void summarizeProfile(List<Target> targets, Results results, Progress progress) {
        for (Target t : targets) {
            if (!t.name().equals(options.subject())) {
                continue;
            }
            Optional<Path> rec = t.profileRecording();
            if (rec.isEmpty() || !Files.isRegularFile(rec.get())) {
                results.addNote("--profile: " + t.name() + " left no recording" + rec.map(p -> " at " + p).orElse("")
                        + "; no profile in this report.");
                continue;
            }
            try {
                results.profiles(t.name(), JfrProfile.summarize(rec.get(), List.copyOf(windows)));
                progress.info(t.name() + ": profile summarized from " + rec.get());
            } catch (IOException | RuntimeException e) {
                results.addNote("--profile: reading " + rec.get() + " failed: " + message(e));
            }
        }
    }

    private void tearDownAll(Results results, Progress progress) {
        for (int i = mounted.size() - 1; i >= 0; i--) {
            Target t = mounted.get(i).target();
            progress.info(t.name() + ": tearing down");
            tearDown(t, results);
            mounted.remove(i);
        }
    }

    private static void tearDown(Target t, Results results) {
        try {
            t.tearDown();
        } catch (Exception e) {
            results.addNote("Tearing down " + t.name() + " reported: " + message(e));
        }
    }

    /**
     * One workload on every mounted target, the targets taking turns repetition by repetition (and
     * starting with a different one each time), so that load from elsewhere on the machine falls on
     * all of them alike instead of on whichever target happened to run at the time.
     */
    private void runWorkload(Workload w, Results results, Progress progress) {
        int reps = options.scale().repetitions();
        List<Mounted> targets = new ArrayList<>(mounted);
        Optional<String> why = w.unavailableReason();
        if (why.isPresent()) {
            for (Mounted m : targets) {
                results.addFailure(m.target().name(), w.id(), why.get());
            }
            progress.skip(reps * targets.size(), w.id() + ": skipped: " + why.get());
            return;
        }
        Map<String, WorkloadContext> contexts = new LinkedHashMap<>();
        try {
            for (Mounted m : targets) {
                try {
                    Path dir = Files.createDirectories(m.root().resolve(w.id()));
                    WorkloadContext ctx = new WorkloadContext(dir,
                            Files.createDirectories(m.root().resolve("shared")), caches);
                    contexts.put(m.target().name(), ctx);
                    w.prepare(ctx);
                } catch (Exception e) {
                    fail(m, w, e, reps, results, progress);
                    contexts.remove(m.target().name());
                }
            }
            for (int rep = 1; rep <= reps && !cancelled.get(); rep++) {
                for (int k = 0; k < targets.size(); k++) {
                    Mounted m = targets.get((k + rep - 1) % targets.size());
                    WorkloadContext ctx = contexts.get(m.target().name());
                    if (ctx == null || cancelled.get()) {
                        continue;
                    }
                    try {
                        measureOnce(m, w, ctx, rep, reps, results, progress);
                    } catch (Exception e) {
                        fail(m, w, e, reps - rep + 1, results, progress);
                        contexts.remove(m.target().name());
                    }
                }
            }
        } finally {
            for (Mounted m : targets) {
                try {
                    FileTrees.deleteRecursively(m.root().resolve(w.id()));
                } catch (IOException e) {
                    // the image goes away with the target; a leftover scratch file costs nothing
                }
            }
        }
    }

    private void measureOnce(Mounted m, Workload w, WorkloadContext ctx, int rep, int reps, Results results,
                             Progress progress) throws Exception {
        Instant start = Instant.now();
        Map<String, Double> values;
        try {
            values = w.measure(ctx);
        } finally {
            if (options.profile() && m.target().name().equals(options.subject())) {
                windows.add(new JfrProfile.Window(w.id(), start, Instant.now()));
            }
        }
        StringBuilder line = new StringBuilder();
        for (Figure f : w.figures()) {
            Double v = values.get(f.id());
            if (v == null || !Double.isFinite(v)) {
                throw new IOException("produced no value for " + f.id());
            }
        }
        for (Figure f : w.figures()) {
            double v = values.get(f.id());
            results.addSample(m.target().name(), f.id(), v);
            line.append(line.length() == 0 ? "" : ", ").append(MarkdownReport.number(v)).append(' ').append(f.unit());
        }
        progress.step(String.format(Locale.ROOT, "%s %s %d/%d: %s", m.target().name(), w.id(), rep, reps, line));
    }

    private static void fail(Mounted m, Workload w, Exception e, int stepsLeft, Results results, Progress progress) {
        results.addFailure(m.target().name(), w.id(), message(e));
        progress.skip(stepsLeft, m.target().name() + " " + w.id() + ": failed: " + message(e));
    }

    /** Ctrl-C: stop, kill the tools still running, and tear down the target that is set up. */
    private void abort() {
        cancelled.set(true);
        Commands.killRunning();
        for (int i = mounted.size() - 1; i >= 0; i--) {
            Target t = mounted.get(i).target();
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

    private static boolean busy(String loadAverage, int cores) {
        try {
            return Double.parseDouble(loadAverage) > cores;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.replace('\n', ' ');
    }
}
