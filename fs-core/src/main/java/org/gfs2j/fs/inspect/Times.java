package org.gfs2j.fs.inspect;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Timestamp text in UTC. */
public final class Times {
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    private Times() {
    }

    /** {@code 2026-11-24 19:36:00} (seconds clamped to what Instant can represent). */
    public static String seconds(long sec) {
        return SECONDS.format(instant(sec, 0));
    }

    /** {@code 2026-11-24 19:36:00.123456789 UTC (1795548960.123456789)}. */
    public static String full(long sec, long nsec) {
        return String.format("%s.%09d UTC (%d.%09d)", SECONDS.format(instant(sec, 0)), nsec, sec, nsec);
    }

    private static Instant instant(long sec, long nsec) {
        long s = Math.max(Math.min(sec, Instant.MAX.getEpochSecond()), Instant.MIN.getEpochSecond());
        return Instant.ofEpochSecond(s, 0);
    }
}
