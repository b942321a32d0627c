package org.gfs2j.bench.fs;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The markdown report: which targets ran (or why not), a summary of the ratios, then one table
 * and chart per figure group with every target's median and spread and the ratio columns, then
 * failures, notes and the machine.
 */
public final class MarkdownReport {
    private final Results results;
    private final List<RatioPair> pairs;
    private final String chartDir;
    private final String commandLine;

    /**
     * @param chartDir    where the charts are, relative to the report ("bench")
     * @param commandLine the command that made the report, quoted in its header
     */
    public MarkdownReport(Results results, List<RatioPair> pairs, String chartDir, String commandLine) {
        this.results = results;
        this.pairs = List.copyOf(pairs);
        this.chartDir = chartDir;
        this.commandLine = commandLine;
    }

    public String render() {
        StringBuilder b = new StringBuilder();
        BenchScale s = results.scale();
        long seconds = results.elapsed().toSeconds();
        b.append("# gfs2j file-system benchmarks\n\n");
        b.append("Made by `").append(commandLine).append("` (").append(s.name()).append(" run: ")
                .append(s.repetitions()).append(s.repetitions() == 1 ? " repetition" : " repetitions")
                .append(" of every figure, ").append(bytes(s.imageBytes())).append(" images) on ")
                .append(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT)
                        .format(results.started().atOffset(ZoneOffset.UTC)))
                .append(", in ").append(seconds / 60).append(" min ").append(seconds % 60).append(" s. ")
                .append("What each figure means and how to reproduce it: [bench.md](bench.md).\n\n");
        b.append("Each cell is the median of the repetitions");
        if (s.repetitions() > 1) {
            b.append(" with its spread, (max - min) / median");
        }
        b.append(". A ratio a/b divides a's median by b's: for throughput (better: higher) above 1 means a is")
                .append(" faster, for latency (better: lower) above 1 means a is slower. The summary and the")
                .append(" relative chart turn latency ratios around so that above 1 always means faster.\n\n");

        targets(b);
        summary(b);
        b.append("![speed relative to ").append(baseline()).append("](").append(chartDir)
                .append("/relative.png)\n\n");
        for (String group : groups()) {
            table(b, group);
        }
        failures(b);
        profile(b);
        List<String> notes = results.notes();
        if (!notes.isEmpty()) {
            b.append("## Notes\n\n");
            notes.forEach(n -> b.append("- ").append(n).append('\n'));
            b.append('\n');
        }
        b.append("## Machine\n\n| | |\n|---|---|\n");
        results.machine().forEach((k, v) -> b.append("| ").append(k).append(" | ").append(cell(v)).append(" |\n"));
        b.append("\nRaw samples: [").append(chartDir).append("/results.csv](").append(chartDir)
                .append("/results.csv).\n");
        return b.toString();
    }

    private void targets(StringBuilder b) {
        b.append("## Targets\n\n| target | what it is | versions | status |\n|---|---|---|---|\n");
        for (Results.TargetStatus t : results.targets()) {
            String status;
            if (!t.available()) {
                status = "unavailable: " + t.unavailable();
            } else if (!results.failures(t.name()).isEmpty()) {
                status = "measured; failed: " + String.join(", ", results.failures(t.name()).keySet());
            } else {
                status = "measured";
            }
            b.append("| ").append(t.name()).append(" | ").append(cell(t.description())).append(" | ")
                    .append(cell(t.versions())).append(" | ").append(cell(status)).append(" |\n");
        }
        b.append('\n');
    }

    private void summary(StringBuilder b) {
        b.append("## Summary\n\n| ratio | speed, geometric mean over the figures | slowest figure | fastest figure |\n")
                .append("|---|---|---|---|\n");
        for (RatioPair p : pairs) {
            List<Double> speedups = new ArrayList<>();
            Figure slow = null;
            Figure fast = null;
            double slowV = Double.POSITIVE_INFINITY;
            double fastV = 0;
            for (Figure f : results.figures()) {
                double v = Stats.speedup(ratio(p, f), f.higherIsBetter());
                if (Double.isFinite(v) && v > 0) {
                    speedups.add(v);
                    if (v < slowV) {
                        slowV = v;
                        slow = f;
                    }
                    if (v > fastV) {
                        fastV = v;
                        fast = f;
                    }
                }
            }
            b.append("| ").append(p.label()).append(" | ");
            if (speedups.isEmpty()) {
                b.append(unavailableWhy(p)).append(" | | |\n");
            } else {
                b.append(String.format(Locale.ROOT, "%.2f× (%d figures)", Stats.geometricMean(speedups), speedups.size()))
                        .append(" | ").append(String.format(Locale.ROOT, "%.2f× %s", slowV, cell(slow.label())))
                        .append(" | ").append(String.format(Locale.ROOT, "%.2f× %s", fastV, cell(fast.label())))
                        .append(" |\n");
            }
        }
        b.append('\n');
    }

    private String unavailableWhy(RatioPair p) {
        for (String t : List.of(p.numerator(), p.denominator())) {
            Results.TargetStatus st = results.target(t);
            if (st == null) {
                return "not run (" + t + " not selected)";
            }
            if (!st.available()) {
                return "not measured (" + t + " unavailable)";
            }
        }
        return "no figure measured on both";
    }

    private void table(StringBuilder b, String group) {
        b.append("## ").append(capitalise(group)).append("\n\n");
        b.append("![").append(group).append("](").append(chartDir).append('/').append(Charts.fileName(group))
                .append(")\n\n");
        List<Results.TargetStatus> targets = results.targets();
        b.append("| figure | unit | better |");
        targets.forEach(t -> b.append(' ').append(t.name()).append(" |"));
        pairs.forEach(p -> b.append(' ').append(p.label()).append(" |"));
        b.append("\n|---|---|---|");
        targets.forEach(t -> b.append("---:|"));
        pairs.forEach(p -> b.append("---:|"));
        b.append('\n');
        for (Figure f : results.figures()) {
            if (!f.group().equals(group)) {
                continue;
            }
            b.append("| ").append(cell(f.label())).append(" | ").append(f.unit()).append(" | ")
                    .append(f.higherIsBetter() ? "higher" : "lower").append(" |");
            for (Results.TargetStatus t : targets) {
                b.append(' ').append(valueCell(t, f)).append(" |");
            }
            for (RatioPair p : pairs) {
                double r = ratio(p, f);
                b.append(' ').append(Double.isNaN(r) ? "—" : String.format(Locale.ROOT, "%.2f", r)).append(" |");
            }
            b.append('\n');
        }
        b.append('\n');
    }

    private String valueCell(Results.TargetStatus t, Figure f) {
        if (!t.available()) {
            return "n/a";
        }
        List<Double> s = results.samples(t.name(), f.id());
        if (s.isEmpty()) {
            return results.failures(t.name()).containsKey(results.workloadOf(f)) ? "failed" : "—";
        }
        String v = number(Stats.median(s));
        if (s.size() > 1) {
            v += String.format(Locale.ROOT, " ±%.0f%%", 100 * Stats.spread(s));
        }
        return v;
    }

    private void failures(StringBuilder b) {
        boolean any = false;
        for (Results.TargetStatus t : results.targets()) {
            for (Map.Entry<String, String> e : results.failures(t.name()).entrySet()) {
                if (!any) {
                    b.append("## Failures\n\n");
                    any = true;
                }
                b.append("- ").append(t.name()).append(", ").append(e.getKey()).append(": ")
                        .append(e.getValue()).append('\n');
            }
        }
        if (any) {
            b.append('\n');
        }
    }

    /**
     * {@code --profile}: per workload, the subject's ratios against each peer (turned into speeds,
     * above 1 faster) next to what the daemon's JFR recording says it spent the time on.
     */
    private void profile(StringBuilder b) {
        List<JfrProfile.WorkloadProfile> profiles = results.profiles();
        if (profiles.isEmpty()) {
            return;
        }
        String target = results.profiledTarget();
        b.append("## Profile of the ").append(target).append(" daemon\n\n")
                .append("Made with `--profile`: the daemon ran with a JDK Flight Recorder recording, cut into the")
                .append(" time windows in which each workload was measured on ").append(target)
                .append(". Frames are `Class.method`; \"innermost gfs2j frame\" is the gfs2j method nearest the top")
                .append(" of the sampled stack (time in JDK and library code it called is counted there).")
                .append(" Idle threads (FUSE workers waiting in read(2) on /dev/fuse, pools waiting for")
                .append(" tasks) are left out of the native samples and lock waits.\n\n");
        for (JfrProfile.WorkloadProfile wp : profiles) {
            b.append("### ").append(wp.workload()).append("\n\n");
            List<String> ratios = new ArrayList<>();
            for (Figure f : results.figures()) {
                if (!wp.workload().equals(results.workloadOf(f))) {
                    continue;
                }
                List<String> per = new ArrayList<>();
                for (RatioPair p : pairs) {
                    if (!p.numerator().equals(target)) {
                        continue;
                    }
                    double v = Stats.speedup(ratio(p, f), f.higherIsBetter());
                    if (Double.isFinite(v)) {
                        per.add(String.format(Locale.ROOT, "%.2f× %s", v, p.denominator()));
                    }
                }
                if (!per.isEmpty()) {
                    ratios.add(f.label() + ": " + String.join(", ", per));
                }
            }
            if (!ratios.isEmpty()) {
                b.append("Speed of ").append(target).append(" relative to: ").append(cell(String.join("; ", ratios)))
                        .append(".\n\n");
            }
            wp.lines().forEach(l -> b.append("- ").append(l).append('\n'));
            b.append('\n');
        }
    }

    private double ratio(RatioPair p, Figure f) {
        return Stats.ratio(results.samples(p.numerator(), f.id()), results.samples(p.denominator(), f.id()));
    }

    private String baseline() {
        return pairs.isEmpty() ? "the baseline" : pairs.get(pairs.size() - 1).denominator();
    }

    /** Figure groups in the order their first figure appears. */
    List<String> groups() {
        Set<String> g = new LinkedHashSet<>();
        results.figures().forEach(f -> g.add(f.group()));
        return new ArrayList<>(g);
    }

    static String number(double v) {
        if (Double.isNaN(v)) {
            return "—";
        }
        double a = Math.abs(v);
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String bytes(long n) {
        return n >= 1L << 30 && n % (1L << 30) == 0 ? (n >> 30) + " GiB" : (n >> 20) + " MiB";
    }

    private static String capitalise(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** Table cells cannot hold a pipe or a newline. */
    private static String cell(String s) {
        return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
    }
}
