package org.gfs2j.bench.fs;

/**
 * One number the benchmark reports for every target, e.g. "sequential read, 1 MiB blocks, cold"
 * in MiB/s. {@code group} decides which table and chart it goes in; {@code higherIsBetter} says
 * which way a ratio is good (throughput: higher; latency: lower).
 */
public record Figure(String id, String label, String unit, boolean higherIsBetter, String group) {
    public static Figure higher(String id, String label, String unit, String group) {
        return new Figure(id, label, unit, true, group);
    }

    public static Figure lower(String id, String label, String unit, String group) {
        return new Figure(id, label, unit, false, group);
    }
}
