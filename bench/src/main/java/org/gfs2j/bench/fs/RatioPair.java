package org.gfs2j.bench.fs;

/** A ratio column of the report: numerator's median over denominator's, per figure. */
public record RatioPair(String numerator, String denominator) {
    public String label() {
        return numerator + "/" + denominator;
    }
}
