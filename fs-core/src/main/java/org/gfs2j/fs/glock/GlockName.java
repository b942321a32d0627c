package org.gfs2j.fs.glock;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;

/**
 * Identity of a glock: (type, 64-bit number). Its DLM resource name is GFS2's: 24 ASCII bytes,
 * the type then the number in lowercase hex, right-aligned in 8 and 16 characters, padded with
 * spaces, no terminator (spec 4.1). Names order by type, then by number as an unsigned value
 * (quota: users before groups, then by id): the order multi-glock acquisition uses.
 */
public record GlockName(GlockType type, long number) implements Comparable<GlockName> {
    /** Length of the DLM resource name. */
    public static final int RESOURCE_NAME_LENGTH = 24;

    private static final Comparator<GlockName> ORDER = Comparator
            .comparingInt((GlockName n) -> n.type.number)
            .thenComparing(GlockName::orderKey, Long::compareUnsigned);

    /** Quota glocks sort users before groups, then by id (as GFS2's quota code does); others by number. */
    private long orderKey() {
        if (type == GlockType.QUOTA) {
            return ((number & 1) << 63) | (number >>> 1);
        }
        return number;
    }

    public GlockName {
        if (type == null) {
            throw new IllegalArgumentException("glock type is required");
        }
    }

    public static GlockName inode(long dinodeBlock) {
        return new GlockName(GlockType.INODE, dinodeBlock);
    }

    public static GlockName iopen(long dinodeBlock) {
        return new GlockName(GlockType.IOPEN, dinodeBlock);
    }

    public static GlockName rgrp(long headerBlock) {
        return new GlockName(GlockType.RGRP, headerBlock);
    }

    public static GlockName flock(long dinodeBlock) {
        return new GlockName(GlockType.FLOCK, dinodeBlock);
    }

    public static GlockName journal(int jid) {
        return new GlockName(GlockType.JOURNAL, jid);
    }

    public static GlockName userQuota(long uid) {
        return new GlockName(GlockType.QUOTA, 2 * uid);
    }

    public static GlockName groupQuota(long gid) {
        return new GlockName(GlockType.QUOTA, 2 * gid + 1);
    }

    /** Nondisk lock numbers (spec 4.11); control (4) and mounted (5) are plain DLM locks. */
    public static final long NONDISK_MOUNT = 0, NONDISK_LIVE = 1, NONDISK_FREEZE = 2, NONDISK_RENAME = 3;

    public static GlockName nondisk(long number) {
        return new GlockName(GlockType.NONDISK, number);
    }

    public static final GlockName SUPERBLOCK = new GlockName(GlockType.META, 0);

    /** The 24-byte DLM resource name. */
    public byte[] resourceName() {
        String s = String.format("%8x%16x", type.number, number);
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Parses a 24-byte resource name back (as a lock dump shows it). */
    public static GlockName parse(byte[] resource) {
        if (resource.length != RESOURCE_NAME_LENGTH) {
            throw new IllegalArgumentException("a glock resource name has 24 bytes, got " + resource.length);
        }
        String s = new String(resource, StandardCharsets.US_ASCII);
        try {
            int type = Integer.parseInt(s.substring(0, 8).strip(), 16);
            long number = Long.parseUnsignedLong(s.substring(8).strip(), 16);
            return new GlockName(GlockType.ofNumber(type), number);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a glock resource name: '" + s + "'", e);
        }
    }

    @Override
    public int compareTo(GlockName o) {
        return ORDER.compare(this, o);
    }

    /** The kernel's "type/number" notation (number in hex), as in its glock dumps. */
    @Override
    public String toString() {
        return type.number + "/" + Long.toHexString(number);
    }
}
