package org.gfs2j.fs.mount;

import org.gfs2j.fs.vfs.FsException;
import org.gfs2j.journal.format.CorruptMetadataException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's withdrawal from a file system whose metadata it found inconsistent, as the kernel's
 * gfs2_withdraw: the reason is logged once, the journal stops at once (nothing more is committed
 * or written back: {@link org.gfs2j.journal.log.JournalLog#abandon}), every later modifying
 * operation fails with EIO, and unmount writes no clean (UNMOUNT) log header over the
 * inconsistent state: the journal stays dirty, so the next mount (or another node) replays it up
 * to the last transaction committed before the withdrawal. Reads of intact data keep working.
 */
public final class Withdraw {
    private static final Logger LOG = LoggerFactory.getLogger(Withdraw.class);

    private final Gfs2FileSystem fs;
    private volatile String reason;

    Withdraw(Gfs2FileSystem fs) {
        this.fs = fs;
    }

    public boolean isWithdrawn() {
        return reason != null;
    }

    /** Why the file system withdrew (null while it has not). */
    public String reason() {
        return reason;
    }

    /** EIO for a modifying operation once withdrawn. */
    void check(String op) throws FsException {
        String r = reason;
        if (r != null) {
            throw new FsException(FsException.EIO, op + ": the file system has withdrawn (" + r + ")");
        }
    }

    /**
     * Called with the failure of an operation: withdraws when it was caused by corrupt metadata
     * (a {@link CorruptMetadataException} anywhere in the cause chain).
     */
    void onFailure(String op, long ino, Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof CorruptMetadataException c) {
                withdraw(op + " of inode " + ino + " met corrupt metadata: " + c.getMessage());
                return;
            }
            if (t.getCause() == t) {
                break;
            }
        }
    }

    /** Withdraws (once): logs why and stops the journal. */
    public synchronized void withdraw(String why) {
        if (reason != null) {
            return;
        }
        reason = why;
        LOG.error("gfs2j journal {}: withdrawing from the file system: {}; every further change fails with EIO, "
                + "the journal is left for replay", fs.jid, why);
        fs.log.abandon();
    }
}
