package org.gfs2j.journal.testing;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Crash testing by {@code kill -9}: runs a workload main class in a child JVM, kills it at a random
 * moment, and hands what the workload acknowledged before dying to a verifier (which typically
 * replays the journal, runs fsck.gfs2 -n and checks every acknowledged change is present).
 * Reusable by fs-core's tests (published in journal's test-jar).
 *
 * <p>Protocol: the workload prints {@value #READY} once it is running (the kill delay is counted
 * from then) and a line for each thing it guarantees, such as {@code ACK 17} after the fsync that
 * made change 17 durable. The parent collects every line written before the kill (lines already in
 * the pipe survive the process). A workload must flush stdout after each line.
 *
 * <p>Runs are seeded: run {@code i} uses seed {@code baseSeed + i}, logged on stdout before it
 * starts. System properties: {@value #RUNS_PROPERTY} overrides the number of runs,
 * {@value #SEED_PROPERTY} runs that single seed only (to reproduce a failure).
 */
public final class CrashHarness {
    public static final String READY = "READY";
    public static final String RUNS_PROPERTY = "gfs2j.crash.runs";
    public static final String SEED_PROPERTY = "gfs2j.crash.seed";

    /** Prepares one run (e.g. a fresh image copy) and returns the workload's arguments. */
    @FunctionalInterface
    public interface Setup {
        List<String> prepare(int run, long seed) throws Exception;

        /** Each run starts from a fresh copy of {@code template} at {@code image}; the workload gets (image, seed). */
        static Setup freshCopy(Path template, Path image) {
            return (run, seed) -> {
                Files.copy(template, image, StandardCopyOption.REPLACE_EXISTING);
                return List.of(image.toString(), Long.toString(seed));
            };
        }
    }

    /** Checks the state a killed workload left behind; throws (an AssertionError) when it is wrong. */
    @FunctionalInterface
    public interface Verifier {
        void verify(int run, long seed, List<String> acknowledged, List<String> args) throws Exception;
    }

    /**
     * @param workloadMain class with a {@code main(String[])} run in the child JVM
     * @param runs         default number of crash runs (the system property overrides it)
     * @param baseSeed     seed of run 0
     * @param maxKillDelayMillis the kill comes uniformly within this many ms after READY
     */
    public record Config(Class<?> workloadMain, int runs, long baseSeed, long maxKillDelayMillis) {
    }

    /** One finished run. */
    public record Run(int run, long seed, long killDelayMillis, int acknowledged, boolean exitedBeforeKill) {
    }

    private CrashHarness() {
    }

    public static List<Run> run(Config config, Setup setup, Verifier verifier) throws Exception {
        List<Run> out = new ArrayList<>();
        String single = System.getProperty(SEED_PROPERTY);
        int runs = Integer.getInteger(RUNS_PROPERTY, config.runs());
        for (int i = 0; i < (single != null ? 1 : runs); i++) {
            long seed = single != null ? Long.parseLong(single) : config.baseSeed() + i;
            System.out.println("crash run " + i + " seed " + seed + " (reproduce with -D" + SEED_PROPERTY + "=" + seed + ")");
            List<String> args = setup.prepare(i, seed);
            Run r = runOnce(config, i, seed, args, verifier);
            System.out.println("crash run " + i + " seed " + seed + ": killed after " + r.killDelayMillis()
                    + " ms, " + r.acknowledged() + " acknowledged");
            out.add(r);
        }
        return out;
    }

    private static Run runOnce(Config config, int run, long seed, List<String> args, Verifier verifier)
            throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.add(config.workloadMain().getName());
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        Object readyLock = new Object();
        boolean[] ready = new boolean[1];
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.equals(READY)) {
                        synchronized (readyLock) {
                            ready[0] = true;
                            readyLock.notifyAll();
                        }
                    } else {
                        lines.add(line);
                    }
                }
            } catch (IOException e) {
                lines.add("READ-ERROR " + e);
            } finally {
                synchronized (readyLock) {
                    ready[0] = true;
                    readyLock.notifyAll();
                }
            }
        }, "crash-harness-reader");
        reader.start();
        long delay = new Random(seed * 0x9E3779B97F4A7C15L).nextLong(Math.max(1, config.maxKillDelayMillis()));
        boolean exitedBeforeKill;
        try {
            synchronized (readyLock) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!ready[0] && System.nanoTime() < deadline) {
                    readyLock.wait(1000);
                }
            }
            if (!ready[0]) {
                throw new AssertionError("workload " + config.workloadMain().getName() + " never printed " + READY);
            }
            exitedBeforeKill = p.waitFor(delay, TimeUnit.MILLISECONDS);
        } finally {
            // SIGKILL through the handle: Process.destroyForcibly would also close our end of the
            // pipe and lose acknowledgements the workload wrote just before dying
            p.toHandle().destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
            reader.join(30_000);
        }
        if (exitedBeforeKill && p.exitValue() != 0) {
            throw new AssertionError("workload exited with " + p.exitValue() + " before the kill (seed " + seed + ")");
        }
        List<String> acked = new ArrayList<>(lines);
        verifier.verify(run, seed, acked, args);
        return new Run(run, seed, delay, acked.size(), exitedBeforeKill);
    }

    /** The test class path: surefire's when running under it, else this JVM's. */
    static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        if (cp == null || cp.isBlank()) {
            cp = System.getProperty("java.class.path");
        }
        return String.join(File.pathSeparator, cp.split(File.pathSeparator));
    }
}
