package org.gfs2j.bench.fs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of {@code gfs2j bench fs}: which targets, how big, where images go ({@code workdir},
 * on the disk being measured) and where the report goes ({@code outDir}: the markdown there, the
 * charts and CSV in {@code outDir/bench}). {@code subject} is the target the ratios are about
 * (gfs2j); {@code baseline} the peer the others are compared with (ext4). With {@code profile}
 * the subject's daemon runs under JFR and the report summarizes its profile per workload.
 */
public record FsBenchOptions(BenchScale scale, List<String> targets, Path workdir, Path outDir,
                             String reportName, List<String> gfs2jCommand, String subject, String baseline,
                             String commandLine, boolean profile) {
    public FsBenchOptions(BenchScale scale, List<String> targets, Path workdir, Path outDir, String reportName,
                          List<String> gfs2jCommand, String subject, String baseline, String commandLine) {
        this(scale, targets, workdir, outDir, reportName, gfs2jCommand, subject, baseline, commandLine, false);
    }

    public FsBenchOptions {
        targets = List.copyOf(targets);
        gfs2jCommand = List.copyOf(gfs2jCommand);
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("no targets selected");
        }
    }

    /** The report's ratio columns: subject/peer for every peer, then every other peer/baseline. */
    public List<RatioPair> ratioPairs() {
        List<RatioPair> pairs = new ArrayList<>();
        if (targets.contains(subject)) {
            for (String t : targets) {
                if (!t.equals(subject)) {
                    pairs.add(new RatioPair(subject, t));
                }
            }
        }
        if (targets.contains(baseline)) {
            for (String t : targets) {
                if (!t.equals(subject) && !t.equals(baseline)) {
                    pairs.add(new RatioPair(t, baseline));
                }
            }
        }
        return pairs;
    }
}
