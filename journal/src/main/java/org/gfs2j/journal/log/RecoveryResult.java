package org.gfs2j.journal.log;

import org.gfs2j.journal.format.LogHeader;

/**
 * What a replay did.
 *
 * @param head           the head found before replay
 * @param wasDirty       false when the journal was already clean (nothing replayed, nothing written)
 * @param replayed       logged copies written to their home blocks
 * @param skippedRevoked logged copies not written because a later revoke covered them
 * @param revokeEntries  revoke entries read
 * @param logBlocks      journal blocks in the replayed region [tail, head)
 * @param cleanHeader    the UNMOUNT|RECOVERY header written after replay, or null when clean
 */
public record RecoveryResult(JournalHead head, boolean wasDirty, long replayed, long skippedRevoked,
                             long revokeEntries, long logBlocks, LogHeader cleanHeader) {
    /**
     * The dead node's statfs deltas recorded in its last header ({@code lh_local_*}): fs-core adds
     * them to the master statfs file and zeroes that node's statfs_changeN, as newer kernels do.
     */
    public long[] localStatfs() {
        LogHeader h = head.header();
        return new long[] {h.localTotal(), h.localFree(), h.localDinodes()};
    }
}
