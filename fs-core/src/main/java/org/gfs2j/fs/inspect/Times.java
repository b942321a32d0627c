package org.gfs2j.fs.inspect;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Timestamp text in UTC; seconds beyond year 9999 (corrupt or absurd) are shown raw as {@code @N}. */
public final class Times {
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
    /** 9999-12-31 23:59:59 UTC. */
    private static final long MAX_SECONDS = 253402300799L;

    private Times() {
    }

    /** {@code 2026-11-24 19:36:00}. */
    public static String seconds(long sec) {
        if (sec < 0 || sec > MAX_SECONDS) {
            return "@" + Long.toUnsignedString(sec);
        }
        return SECONDS.format(Instant.ofEpochSecond(sec));
    }

    /** {@code 2026-11-24 19:36:00.123456789 UTC (1795548960.123456789)}. */
    public static String full(long sec, long nsec) {
        return String.format("%s.%09d UTC (%s.%09d)", seconds(sec), nsec, Long.toUnsignedString(sec), nsec);
    }
}
