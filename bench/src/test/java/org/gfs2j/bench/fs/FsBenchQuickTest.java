package org.gfs2j.bench.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The quick run end to end against real mounts: kernel ext4 on a loop device and bindfs over it,
 * plus gfs2j (unavailable until it mounts) and a target that fails half-way through set-up. Runs
 * only as root with fio, bindfs and the ext4 tools installed.
 */
class FsBenchQuickTest {
    /** Attaches a loop device, then fails: set-up must be undone and the target reported. */
    static final class FailingTarget implements Target {
        private final Cleanup cleanup = new Cleanup();

        FailingTarget(TargetOptions options) {
        }

        @Override
        public String name() {
            return "broken";
        }

        @Override
        public String description() {
            return "fails after attaching a loop device";
        }

        @Override
        public Optional<String> unavailableReason() {
            return Optional.empty();
        }

        @Override
        public Path setUp(Path workdir) throws Exception {
            Path image = Files.createDirectories(workdir.resolve("broken")).resolve("image.img");
            try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
                f.setLength(64L << 20);
            }
            cleanup.push("delete image", () -> Files.deleteIfExists(image));
            LoopDevice loop = LoopDevice.attach(image);
            cleanup.push("detach", loop::detach);
            throw new IOException("deliberate failure after attaching " + loop.device());
        }

        @Override
        public void tearDown() throws Exception {
            cleanup.runAllOrThrow();
        }
    }

    @Test
    void quickRunMeasuresEveryWorkloadOnThePeersAndLeavesNothingMounted() throws Exception {
        assumeTrue(Privileges.isRoot(), "needs root for loop devices and mounts");
        for (String tool : List.of("fio", "bindfs", "mkfs.ext4", "losetup", "mount")) {
            assumeTrue(Commands.exists(tool), tool + " is not installed");
        }
        assumeTrue(Files.exists(Path.of("/dev/fuse")), "no /dev/fuse");

        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "fsbench-it")
                .toAbsolutePath();
        Path gfs2j = Path.of("..", "bin", "gfs2j").toAbsolutePath().normalize();
        FsBenchOptions options = new FsBenchOptions(BenchScale.quick(), List.of("gfs2j", "broken", "ext4", "bindfs"),
                work.resolve("work"), work.resolve("out"), "benchmarks.md", List.of(gfs2j.toString()), "gfs2j",
                "ext4", "gfs2j bench fs --quick");
        TargetRegistry registry = TargetRegistry.standard().register("broken", FailingTarget::new);
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        try {
            FsBench bench = new FsBench(options, registry, new PrintStream(progress, true, StandardCharsets.UTF_8));
            Results results = bench.run();
            List<Path> files = bench.writeReport(results);

            for (String peer : List.of("ext4", "bindfs")) {
                assertTrue(results.target(peer).available(), peer + ": " + results.target(peer).unavailable());
                assertEquals(List.of(), results.missingFigures(peer), peer + " failures: " + results.failures(peer));
            }
            Results.TargetStatus broken = results.target("broken");
            assertFalse(broken.available());
            assertTrue(broken.unavailable().contains("deliberate failure"), broken.unavailable());

            // gfs2j is reported, never crashes the run: unavailable with a reason until it mounts,
            // and once it mounts, measured in full.
            Results.TargetStatus g = results.target("gfs2j");
            assertNotNull(g);
            if (g.available()) {
                assertEquals(List.of(), results.missingFigures("gfs2j"), "gfs2j failures: " + results.failures("gfs2j"));
            } else {
                assertFalse(g.unavailable().isBlank());
            }

            assertEquals(List.of(), Mounts.under(work), "mounts left behind");
            assertEquals(List.of(), LoopDevice.backedBy(work), "loop devices left behind");

            String report = Files.readString(work.resolve("out/benchmarks.md"));
            assertTrue(report.contains("| broken | fails after attaching a loop device |  | unavailable: set-up failed:"),
                    report);
            assertTrue(report.contains("| bindfs/ext4 |"), report);
            long csvLines = Files.readAllLines(work.resolve("out/bench/results.csv")).size();
            assertTrue(csvLines >= 1 + 2L * results.figures().size(), "csv lines " + csvLines);
            assertTrue(files.stream().filter(p -> p.toString().endsWith(".png")).count() >= 6, files.toString());
            for (Path p : files) {
                assertTrue(Files.size(p) > 0, p + " is empty");
            }
            assertTrue(progress.toString(StandardCharsets.UTF_8).contains("bindfs metadata-2t 1/1"),
                    progress.toString(StandardCharsets.UTF_8));
        } finally {
            System.out.print(progress.toString(StandardCharsets.UTF_8)); // kept in the surefire output
            FsBench.cleanLeftovers(work);
            FileTrees.deleteRecursively(work);
        }
    }
}
