package org.gfs2j.bench.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void medianOfOddAndEvenCountsAndIgnoresOrder() {
        assertEquals(3.0, Stats.median(List.of(5.0, 1.0, 3.0)));
        assertEquals(2.5, Stats.median(List.of(4.0, 1.0, 2.0, 3.0)));
        assertEquals(7.0, Stats.median(List.of(7.0)));
        assertTrue(Double.isNaN(Stats.median(List.of())));
    }

    @Test
    void spreadIsRangeOverMedian() {
        assertEquals(0.5, Stats.spread(List.of(90.0, 100.0, 140.0)), 1e-12);
        assertEquals(0.0, Stats.spread(List.of(42.0)));
        assertTrue(Double.isNaN(Stats.spread(List.of())));
    }

    @Test
    void ratioDividesMediansAndIsNaNWhenEitherSideIsMissing() {
        assertEquals(0.5, Stats.ratio(List.of(40.0, 50.0, 60.0), List.of(100.0, 90.0, 110.0)), 1e-12);
        assertTrue(Double.isNaN(Stats.ratio(List.of(), List.of(1.0))));
        assertTrue(Double.isNaN(Stats.ratio(List.of(1.0), List.of())));
    }

    @Test
    void speedupInvertsLatencyRatiosOnly() {
        assertEquals(2.0, Stats.speedup(2.0, true));
        assertEquals(0.5, Stats.speedup(2.0, false)); // twice the latency is half as fast
    }

    @Test
    void geometricMeanSkipsMissingValues() {
        assertEquals(1.0, Stats.geometricMean(List.of(0.5, 2.0, Double.NaN)), 1e-12);
        assertEquals(4.0, Stats.geometricMean(List.of(2.0, 8.0)), 1e-12);
        assertTrue(Double.isNaN(Stats.geometricMean(List.of(Double.NaN))));
    }
}
