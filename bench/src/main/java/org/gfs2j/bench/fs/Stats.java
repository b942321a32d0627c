package org.gfs2j.bench.fs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Median, spread and ratios of repeated measurements. */
public final class Stats {
    private Stats() {
    }

    public static double median(List<Double> samples) {
        if (samples.isEmpty()) {
            return Double.NaN;
        }
        List<Double> s = sorted(samples);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2.0;
    }

    public static double min(List<Double> samples) {
        return samples.isEmpty() ? Double.NaN : Collections.min(samples);
    }

    public static double max(List<Double> samples) {
        return samples.isEmpty() ? Double.NaN : Collections.max(samples);
    }

    /** (max - min) / median: how far the repetitions spread, as a fraction of the median. */
    public static double spread(List<Double> samples) {
        double m = median(samples);
        return samples.isEmpty() || m == 0 ? Double.NaN : (max(samples) - min(samples)) / m;
    }

    /** subject / peer of the medians; NaN when either is missing. */
    public static double ratio(List<Double> subject, List<Double> peer) {
        double s = median(subject);
        double p = median(peer);
        return Double.isNaN(s) || Double.isNaN(p) || p == 0 ? Double.NaN : s / p;
    }

    /**
     * A ratio turned into "how many times as fast": the ratio itself where higher is better,
     * its inverse where lower is better (latency), so that above 1 always means faster.
     */
    public static double speedup(double ratio, boolean higherIsBetter) {
        return higherIsBetter || Double.isNaN(ratio) || ratio == 0 ? ratio : 1.0 / ratio;
    }

    /** Geometric mean of the finite positive values, NaN if there are none. */
    public static double geometricMean(List<Double> values) {
        double logSum = 0;
        int n = 0;
        for (double v : values) {
            if (Double.isFinite(v) && v > 0) {
                logSum += Math.log(v);
                n++;
            }
        }
        return n == 0 ? Double.NaN : Math.exp(logSum / n);
    }

    private static List<Double> sorted(List<Double> samples) {
        List<Double> s = new ArrayList<>(samples);
        Collections.sort(s);
        return s;
    }
}
