package org.gfs2j.bench.fs;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The progress display: one line per step with how far the run is, the time so far and a rough
 * estimate of the time left (from the average step so far). Lines rather than a redrawn status
 * line, so that CI logs read the same as a terminal.
 */
public final class Progress {
    private final PrintStream out;
    private final int totalSteps;
    private final long startNanos = System.nanoTime();
    private int done;
    private int measured;
    private long measuredNanos;
    private long lastNanos = System.nanoTime();

    public Progress(PrintStream out, int totalSteps) {
        this.out = out;
        this.totalSteps = Math.max(1, totalSteps);
    }

    /** A message that is not a measured step (setting up a target). */
    public synchronized void info(String message) {
        lastNanos = System.nanoTime();
        out.println(prefix() + message);
        out.flush();
    }

    /** One measured step finished (or was skipped); counts towards the total. */
    public synchronized void step(String message) {
        long now = System.nanoTime();
        measured++;
        measuredNanos += now - lastNanos;
        lastNanos = now;
        done = Math.min(done + 1, totalSteps);
        out.println(prefix() + message);
        out.flush();
    }

    /** Several steps skipped at once (a target that is unavailable). */
    public synchronized void skip(int steps, String message) {
        lastNanos = System.nanoTime();
        done = Math.min(done + steps, totalSteps);
        out.println(prefix() + message);
        out.flush();
    }

    private String prefix() {
        long elapsed = (System.nanoTime() - startNanos) / 1_000_000_000L;
        // Estimated from measured steps only: skipped ones (an unavailable target) take no time.
        String eta = measured == 0 || done == totalSteps ? ""
                : " ~" + clock(measuredNanos / measured * (totalSteps - done) / 1_000_000_000L) + " left";
        return String.format(Locale.ROOT, "[%3d/%d %s%s] ", done, totalSteps, clock(elapsed), eta);
    }

    private static String clock(long seconds) {
        return String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }
}
