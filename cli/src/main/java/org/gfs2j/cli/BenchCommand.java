package org.gfs2j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.gfs2j.bench.fs.BenchScale;
import org.gfs2j.bench.fs.FsBench;
import org.gfs2j.bench.fs.FsBenchOptions;
import org.gfs2j.bench.fs.Gfs2jTarget;
import org.gfs2j.bench.fs.Results;
import org.gfs2j.bench.fs.TargetRegistry;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gfs2j bench}: the benchmark runners, one subcommand each. */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        description = "Measure gfs2j against peers on this machine and write a report.",
        subcommands = {BenchCommand.Fs.class, BenchDlmCommand.class, BenchJournalCommand.class})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a benchmark is required (fs)");
    }

    /** {@code gfs2j bench fs}: file-system workloads on gfs2j, kernel ext4 and bindfs. */
    @Command(name = "fs",
            mixinStandardHelpOptions = true,
            description = {
                "Run fio, small-file and metadata workloads on gfs2j and its peers (kernel ext4 on a loop"
                        + " device, bindfs over ext4), each on a fresh sparse image of the same size in the"
                        + " work directory, and write a markdown report with ratios, PNG charts and a CSV.",
                "Needs root (loop devices, mounts, dropping caches). A target that cannot be set up is"
                        + " reported as unavailable and the others still run.",
                "Exit 0 when every target that could be set up ran every workload, 1 otherwise."})
    static final class Fs implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--quick", description = "Small smoke-test run (about a minute): checks that every"
                + " workload runs; its numbers are not worth quoting.")
        boolean quick;

        @Option(names = "--targets", split = ",", paramLabel = "NAME",
                description = "Targets to run, in order (default: all: ${DEFAULT-VALUE}).",
                defaultValue = "gfs2j,ext4,bindfs")
        List<String> targets;

        @Option(names = "--repetitions", paramLabel = "N",
                description = "Repetitions of every figure (default: 3, or 1 with --quick).")
        Integer repetitions;

        @Option(names = "--image-size", paramLabel = "SIZE",
                description = "Size of every target's image, e.g. 4G or 512M (default: 4G, or 256M with --quick).")
        String imageSize;

        @Option(names = "--workdir", paramLabel = "DIR", defaultValue = "var/bench/work",
                description = "Where images and mount points go: on the disk to measure (default: ${DEFAULT-VALUE}).")
        Path workdir;

        @Option(names = "--out", paramLabel = "DIR",
                description = "Where benchmarks.md goes, with charts and CSV in DIR/bench"
                        + " (default: docs, or var/bench/quick with --quick).")
        Path out;

        @Option(names = "--profile", description = "Run the gfs2j daemon under JDK Flight Recorder and add, per"
                + " workload, where it spent its time (CPU, system calls, lock waits, I/O, GC) to the report.")
        boolean profile;

        @Option(names = "--gfs2j", paramLabel = "COMMAND",
                description = "The gfs2j command the gfs2j target runs (default: this gfs2j).")
        String gfs2j;

        @Override
        public Integer call() throws IOException {
            BenchScale scale = quick ? BenchScale.quick() : BenchScale.full();
            TargetRegistry registry = TargetRegistry.standard();
            try {
                if (repetitions != null) {
                    scale = scale.withRepetitions(repetitions);
                }
                if (imageSize != null) {
                    scale = scale.withImageBytes(parseSize(imageSize));
                }
                if (scale.imageBytes() < 64L << 20) {
                    throw new IllegalArgumentException("--image-size must be at least 64M");
                }
                for (String t : targets) {
                    if (!registry.names().contains(t)) {
                        throw new IllegalArgumentException("unknown target '" + t + "' (known: "
                                + String.join(", ", registry.names()) + ")");
                    }
                }
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            Path outDir = out != null ? out : Path.of(quick ? "var/bench/quick" : "docs");
            FsBenchOptions options = new FsBenchOptions(scale, targets, workdir, outDir, "benchmarks.md",
                    gfs2jCommand(), Gfs2jTarget.NAME, "ext4", commandLine(), profile);
            FsBench bench = new FsBench(options, registry, System.err);
            Results results = bench.run();
            List<Path> files = bench.writeReport(results);
            PrintWriter o = spec.commandLine().getOut();
            o.println("report: " + files.get(0));
            o.println("charts and CSV: " + files.get(1).getParent());
            boolean anyMeasured = false;
            boolean incomplete = false;
            for (Results.TargetStatus t : results.targets()) {
                if (!t.available()) {
                    o.println(t.name() + ": unavailable: " + t.unavailable());
                    continue;
                }
                anyMeasured = true;
                List<String> missing = results.missingFigures(t.name());
                if (missing.isEmpty()) {
                    o.println(t.name() + ": every workload ran");
                } else {
                    incomplete = true;
                    o.println(t.name() + ": " + missing.size() + " figures missing; failed workloads: "
                            + String.join(", ", results.failures(t.name()).keySet()));
                }
            }
            o.flush();
            return anyMeasured && !incomplete ? Gfs2jCommand.EXIT_OK : Gfs2jCommand.EXIT_FAILED;
        }

        private String commandLine() {
            List<String> args = new ArrayList<>(List.of("gfs2j", "bench", "fs"));
            if (quick) {
                args.add("--quick");
            }
            if (!targets.equals(List.of("gfs2j", "ext4", "bindfs"))) {
                args.add("--targets=" + String.join(",", targets));
            }
            if (repetitions != null) {
                args.add("--repetitions=" + repetitions);
            }
            if (imageSize != null) {
                args.add("--image-size=" + imageSize);
            }
            if (profile) {
                args.add("--profile");
            }
            return String.join(" ", args);
        }

        /** This very gfs2j: the running jar under the running java, else bin/gfs2j. */
        private List<String> gfs2jCommand() {
            if (gfs2j != null) {
                return List.of(gfs2j);
            }
            try {
                Path self = Path.of(BenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                if (Files.isRegularFile(self) && self.toString().endsWith(".jar")) {
                    String java = ProcessHandle.current().info().command().orElse("java");
                    return List.of(java, "-jar", self.toString());
                }
            } catch (URISyntaxException | SecurityException | NullPointerException e) {
                // not run from a jar
            }
            Path bin = Path.of("bin", "gfs2j");
            return Files.isExecutable(bin) ? List.of(bin.toAbsolutePath().toString()) : List.of();
        }

        static long parseSize(String s) {
            String t = s.strip().toUpperCase(Locale.ROOT).replaceAll("I?B$", "");
            long mult = 1;
            char last = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
            switch (last) {
                case 'K' -> mult = 1L << 10;
                case 'M' -> mult = 1L << 20;
                case 'G' -> mult = 1L << 30;
                case 'T' -> mult = 1L << 40;
                default -> { }
            }
            if (mult > 1) {
                t = t.substring(0, t.length() - 1);
            }
            try {
                return Math.multiplyExact(Long.parseLong(t), mult);
            } catch (NumberFormatException | ArithmeticException e) {
                throw new IllegalArgumentException("not a size: '" + s + "' (e.g. 4G, 512M)");
            }
        }
    }
}
