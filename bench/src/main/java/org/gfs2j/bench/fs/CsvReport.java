package org.gfs2j.bench.fs;

import java.util.Locale;

/** Every sample of the run, one line each, for anyone who wants to compute their own figures. */
public final class CsvReport {
    public static final String HEADER = "target,workload,figure,label,unit,better,repetition,value";

    private CsvReport() {
    }

    public static String render(Results results) {
        StringBuilder b = new StringBuilder(HEADER).append('\n');
        for (Results.TargetStatus t : results.targets()) {
            for (Figure f : results.figures()) {
                int rep = 1;
                for (double v : results.samples(t.name(), f.id())) {
                    b.append(t.name()).append(',').append(results.workloadOf(f)).append(',').append(f.id())
                            .append(',').append(quote(f.label())).append(',').append(f.unit()).append(',')
                            .append(f.higherIsBetter() ? "higher" : "lower").append(',').append(rep++)
                            .append(',').append(String.format(Locale.ROOT, "%.6g", v)).append('\n');
                }
            }
        }
        return b.toString();
    }

    private static String quote(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
