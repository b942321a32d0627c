package org.gfs2j.bench.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
    @TempDir
    Path tmp;

    private Results results;
    private final List<RatioPair> pairs = List.of(new RatioPair("gfs2j", "ext4"), new RatioPair("gfs2j", "bindfs"),
            new RatioPair("bindfs", "ext4"));

    @BeforeEach
    void measuredPeersAndAnUnavailableGfs2j() {
        results = new Results(BenchScale.full(), BenchScale.full().workloads("io_uring"));
        results.addTarget(new Results.TargetStatus("gfs2j", "gfs2j single node", "", "this gfs2j has no 'mount' verb yet"));
        results.addTarget(new Results.TargetStatus("ext4", "kernel ext4", "e2fsprogs 1.47.0", null));
        results.addTarget(new Results.TargetStatus("bindfs", "bindfs over ext4", "bindfs 1.14.7", null));
        for (Figure f : results.figures()) {
            for (double v : new double[] {100, 80, 120}) {
                results.addSample("ext4", f.id(), v);
                results.addSample("bindfs", f.id(), v / 4); // a quarter of ext4's value everywhere
            }
        }
    }

    private String row(String report, String label) {
        return Arrays.stream(report.split("\n")).filter(l -> l.startsWith("| " + label + " |")).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + label + " in\n" + report));
    }

    @Test
    void tablesShowMedianSpreadAndRatiosPerFigure() {
        String md = new MarkdownReport(results, pairs, "bench", "gfs2j bench fs").render();
        String seq = row(md, "sequential write, 1 MiB blocks, no fsync");
        // medians 100 and 25, spread (120 - 80) / 100; gfs2j unavailable: n/a and no ratio.
        assertEquals("| sequential write, 1 MiB blocks, no fsync | MiB/s | higher | n/a | 100 ±40% | 25.0 ±40%"
                + " | — | — | 0.25 |", seq);
        String lat = row(md, "random read 4 KiB, qd 1, cold, p99 latency");
        assertTrue(lat.contains("| µs | lower |"), lat);
        assertTrue(lat.endsWith("| 0.25 |"), "the table's ratio is plain median over median: " + lat);
    }

    @Test
    void unavailableTargetIsListedWithItsReasonAndSummaryInvertsLatency() {
        String md = new MarkdownReport(results, pairs, "bench", "gfs2j bench fs").render();
        assertTrue(md.contains("| gfs2j | gfs2j single node |  | unavailable: this gfs2j has no 'mount' verb yet |"), md);
        assertTrue(row(md, "gfs2j/ext4").contains("not measured (gfs2j unavailable)"));
        // Throughput figures give 0.25, latency figures 1/0.25 = 4 once turned into speed.
        int latencyFigures = (int) results.figures().stream().filter(f -> !f.higherIsBetter()).count();
        int all = results.figures().size();
        double expected = Math.exp(((all - latencyFigures) * Math.log(0.25) + latencyFigures * Math.log(4)) / all);
        String summary = row(md, "bindfs/ext4");
        assertTrue(summary.contains(String.format(Locale.ROOT, "%.2f× (%d figures)", expected, all)), summary);
    }

    @Test
    void aFailedWorkloadIsMarkedFailedNotBlankAndListed() {
        Results r = new Results(BenchScale.quick(), BenchScale.quick().workloads("libaio"));
        r.addTarget(new Results.TargetStatus("ext4", "kernel ext4", "", null));
        r.addFailure("ext4", "seq-read", "fio exited 1: No space left on device");
        String md = new MarkdownReport(r, List.of(), "bench", "gfs2j bench fs --quick").render();
        assertTrue(row(md, "sequential read, 1 MiB blocks, cold").contains("| failed |"));
        assertTrue(md.contains("- ext4, seq-read: fio exited 1: No space left on device"), md);
        assertTrue(r.missingFigures("ext4").contains("seq-read"));
    }

    @Test
    void csvHasOneLinePerSampleAndChartsArePngs() throws IOException {
        String csv = CsvReport.render(results);
        String[] lines = csv.split("\n");
        assertEquals(CsvReport.HEADER, lines[0]);
        assertEquals(1 + 2 * 3 * results.figures().size(), lines.length);
        assertTrue(csv.contains("\nbindfs,seq-read,seq-read,\"sequential read, 1 MiB blocks, cold\",MiB/s,higher,3,30.0000\n"), csv);

        List<Path> charts = Charts.write(results, "ext4", tmp);
        assertEquals(List.of("relative.png", "throughput.png", "iops.png", "latency.png", "small-files.png",
                "metadata.png"), charts.stream().map(p -> p.getFileName().toString()).toList());
        for (Path p : charts) {
            byte[] head = Arrays.copyOf(Files.readAllBytes(p), 8);
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, head, p.toString());
        }
    }

    @Test
    void ratioColumnsAreSubjectOverEachPeerThenPeersOverBaseline() {
        FsBenchOptions o = new FsBenchOptions(BenchScale.quick(), List.of("gfs2j", "ext4", "bindfs"), tmp, tmp,
                "benchmarks.md", List.of(), "gfs2j", "ext4", "gfs2j bench fs");
        assertEquals(pairs, o.ratioPairs());
    }
}
