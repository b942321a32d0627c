package org.gfs2j.fs.mkfs;

import java.util.UUID;
import java.util.regex.Pattern;
import org.gfs2j.fs.ondisk.Geometry;

/**
 * What to make: the options of {@code gfs2j mkfs} (and mkfs.gfs2). {@code journalSizeMiB} 0 means
 * "the default for the device size"; {@code uuid} null means random.
 *
 * @param bsize          block size, a power of two 512..4096
 * @param journals       number of journals (one per node that may mount)
 * @param journalSizeMiB size of each journal, 8..1024, or 0 for the default
 * @param lockProto      {@code lock_dlm} or {@code lock_nolock}
 * @param lockTable      {@code cluster:fsname}; required for lock_dlm
 * @param rgSizeMiB      resource group target size, 32..2048
 * @param uuid           file-system UUID, or null for a random one
 */
public record MkfsOptions(int bsize, int journals, int journalSizeMiB, String lockProto, String lockTable,
                          int rgSizeMiB, UUID uuid) {
    public static final int DEFAULT_BSIZE = 4096;
    public static final int DEFAULT_RG_MIB = 256;
    public static final int MAX_JOURNALS = 1024;
    public static final String LOCK_DLM = "lock_dlm";
    public static final String LOCK_NOLOCK = "lock_nolock";
    private static final Pattern TABLE_PART = Pattern.compile("[A-Za-z0-9_-]+");

    public MkfsOptions {
        lockTable = lockTable == null ? "" : lockTable;
    }

    /** Defaults: 4K blocks, one journal of default size, lock_nolock, 256 MiB rgrps. */
    public static MkfsOptions defaults() {
        return new MkfsOptions(DEFAULT_BSIZE, 1, 0, LOCK_NOLOCK, "", DEFAULT_RG_MIB, null);
    }

    public MkfsOptions withBlockSize(int b) {
        return new MkfsOptions(b, journals, journalSizeMiB, lockProto, lockTable, rgSizeMiB, uuid);
    }

    public MkfsOptions withJournals(int j) {
        return new MkfsOptions(bsize, j, journalSizeMiB, lockProto, lockTable, rgSizeMiB, uuid);
    }

    public MkfsOptions withJournalSize(int mib) {
        return new MkfsOptions(bsize, journals, mib, lockProto, lockTable, rgSizeMiB, uuid);
    }

    public MkfsOptions withLock(String proto, String table) {
        return new MkfsOptions(bsize, journals, journalSizeMiB, proto, table, rgSizeMiB, uuid);
    }

    public MkfsOptions withRgSize(int mib) {
        return new MkfsOptions(bsize, journals, journalSizeMiB, lockProto, lockTable, mib, uuid);
    }

    public MkfsOptions withUuid(UUID u) {
        return new MkfsOptions(bsize, journals, journalSizeMiB, lockProto, lockTable, rgSizeMiB, u);
    }

    /** Checks every option on its own; throws IllegalArgumentException saying what is wrong. */
    public void validate() {
        if (!Geometry.isValidBlockSize(bsize)) {
            throw new IllegalArgumentException("block size " + bsize + " is not a power of two between 512 and 4096");
        }
        if (journals < 1 || journals > MAX_JOURNALS) {
            throw new IllegalArgumentException("number of journals " + journals + " is not between 1 and " + MAX_JOURNALS);
        }
        if (journalSizeMiB != 0 && (journalSizeMiB < 8 || journalSizeMiB > 1024)) {
            throw new IllegalArgumentException("journal size " + journalSizeMiB + " MiB is not between 8 and 1024 MiB");
        }
        if (rgSizeMiB < 32 || rgSizeMiB > 2048) {
            throw new IllegalArgumentException("resource group size " + rgSizeMiB + " MiB is not between 32 and 2048 MiB");
        }
        if (!LOCK_DLM.equals(lockProto) && !LOCK_NOLOCK.equals(lockProto)) {
            throw new IllegalArgumentException("lock protocol \"" + lockProto + "\" is not lock_dlm or lock_nolock");
        }
        if (LOCK_DLM.equals(lockProto)) {
            if (lockTable.isEmpty()) {
                throw new IllegalArgumentException("lock_dlm needs a lock table: -t cluster:fsname");
            }
            validateLockTable(lockTable);
        } else if (lockTable.length() > 63 || !lockTable.chars().allMatch(c -> c > 32 && c < 127)) {
            throw new IllegalArgumentException("lock table \"" + lockTable + "\" must be at most 63 printable characters");
        }
    }

    /** The mkfs.gfs2 rules for {@code cluster:fsname}. */
    public static void validateLockTable(String table) {
        int colon = table.indexOf(':');
        if (colon < 0 || table.indexOf(':', colon + 1) >= 0) {
            throw new IllegalArgumentException("lock table \"" + table + "\" must be cluster:fsname with exactly one colon");
        }
        String cluster = table.substring(0, colon);
        String fs = table.substring(colon + 1);
        if (cluster.isEmpty() || cluster.length() > 32) {
            throw new IllegalArgumentException("cluster name \"" + cluster + "\" must be 1 to 32 characters");
        }
        if (fs.isEmpty() || fs.length() > 30) {
            throw new IllegalArgumentException("file system name \"" + fs + "\" must be 1 to 30 characters");
        }
        if (!TABLE_PART.matcher(cluster).matches() || !TABLE_PART.matcher(fs).matches()) {
            throw new IllegalArgumentException("lock table \"" + table + "\" may only contain letters, digits, '_' and '-'"
                    + " around the colon");
        }
    }

    /**
     * mkfs.gfs2's default journal size in MiB for a device of {@code deviceBlocks} blocks of
     * {@code bsize} bytes: a block count chosen by blocks per journal (the thresholds read as
     * 512 MiB, 2 GiB, ... with 4K blocks), converted to MiB, at least 8. Returns -1 when a journal
     * of the minimum size would take more than half of each journal's share of the device.
     */
    public static int defaultJournalMiB(int bsize, long deviceBlocks, int journals) {
        long n = deviceBlocks / journals;
        long minBlocks = (8L << 20) / bsize;
        if (n < 2 * minBlocks) {
            return -1;
        }
        long blocks;
        if (n < 131_072L) {
            blocks = minBlocks;
        } else if (n < 512L * 1024) {
            blocks = 4096;
        } else if (n < 2048L * 1024) {
            blocks = 8192;
        } else if (n < 4096L * 1024) {
            blocks = 16384;
        } else if (n < 262_144L * 1024) {
            blocks = 32768;
        } else if (n < 2_621_440L * 1024) {
            blocks = 131072;
        } else {
            blocks = 262144;
        }
        return (int) Math.max(8, (blocks * bsize) >> 20);
    }
}
