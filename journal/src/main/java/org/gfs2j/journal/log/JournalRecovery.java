package org.gfs2j.journal.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import org.gfs2j.journal.device.BlockDevice;
import org.gfs2j.journal.device.DeviceException;
import org.gfs2j.journal.format.CorruptMetadataException;
import org.gfs2j.journal.format.LogDescriptor;
import org.gfs2j.journal.format.LogHeader;
import org.gfs2j.journal.format.MetaHeader;
import org.gfs2j.journal.format.MetaType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays any node's journal, given where it is: find the head; if it lacks UNMOUNT, walk the
 * live log {@code [head.lh_tail, head)} twice (revokes, then blocks copied home unless a later
 * revoke covers them), flush the device, and close the journal with an UNMOUNT|RECOVERY header
 * after the head. Idempotent: a crash during replay leaves the journal dirty, and replaying
 * again writes the same blocks.
 *
 * <p>The caller holds whatever makes it the only writer of that journal (the journal glock in
 * EX after fencing, or an unmounted file system).
 */
public final class JournalRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(JournalRecovery.class);

    private JournalRecovery() {
    }

    /** Replays the journal at {@code extents}; the clean header names journal id {@code jid} in mh_jid. */
    public static RecoveryResult recover(BlockDevice device, JournalExtents extents, int bsize) throws IOException {
        return recover(new JournalIo(device, extents, bsize), 0, Clock.systemUTC());
    }

    public static RecoveryResult recover(JournalIo io, int jid, Clock clock) throws IOException {
        if (io.device().isReadOnly()) {
            JournalHead head = HeadSearch.find(io);
            if (head.isClean()) {
                return new RecoveryResult(head, false, 0, 0, 0, 0, null);
            }
            throw new DeviceException(io.device().path() + ": journal at " + io.extents()
                    + " is dirty and the device is open read-only; it cannot be replayed");
        }
        JournalHead head = HeadSearch.find(io);
        if (head.isClean()) {
            return new RecoveryResult(head, false, 0, 0, 0, 0, null);
        }
        long tail = head.header().tail();
        if (tail >= io.size()) {
            throw new CorruptMetadataException(io.deviceBlock(head.index()), MetaType.LH.description(), "lh_tail",
                    tail + " outside the journal of " + io.size() + " blocks");
        }
        ReplayContext ctx = new ReplayContext(io, tail);
        long region = walk(io, head, ctx, ReplayPass.REVOKES);
        walk(io, head, ctx, ReplayPass.BLOCKS);
        io.flush();
        LogHeader clean = writeCleanHeader(io, head, jid, clock);
        LOG.info("replayed journal {}: head seq {} at {}, tail {}, {} log blocks, {} blocks replayed, {} revoked",
                io.extents(), head.sequence(), head.index(), tail, region, ctx.replayed(), ctx.skippedRevoked());
        return new RecoveryResult(head, true, ctx.replayed(), ctx.skippedRevoked(), ctx.revokeEntries(), region, clean);
    }

    /** One pass over [tail, head); returns the number of blocks walked. */
    private static long walk(JournalIo io, JournalHead head, ReplayContext ctx, ReplayPass pass) throws IOException {
        long size = io.size();
        long tail = head.header().tail();
        long end = Math.floorMod(head.index() - tail, size);
        long d = 0;
        while (d < end) {
            long p = (tail + d) % size;
            ByteBuffer block = io.readBlock(p);
            MetaType type = MetaHeader.typeOf(block, 0);
            if (type == MetaType.LH) {
                LogHeader h = LogHeader.decode(block, io.deviceBlock(p));
                if (h.blkno() != p) {
                    throw new CorruptMetadataException(io.deviceBlock(p), MetaType.LH.description(), "lh_blkno",
                            h.blkno() + ", but the header is at journal block " + p);
                }
                d++;
            } else if (type == MetaType.LD) {
                LogDescriptor ld = LogDescriptor.decode(block, io.deviceBlock(p), size);
                if (d + ld.length() > end) {
                    throw new CorruptMetadataException(io.deviceBlock(p), MetaType.LD.description(), "ld_length",
                            ld.length() + " blocks run past the log head at journal block " + head.index());
                }
                LogOperations op = LogOperations.forDescriptorType(ld.type());
                op.replay(pass, ld, p, block, ctx);
                d += ld.length();
            } else {
                throw new CorruptMetadataException(io.deviceBlock(p), "journal", "mh_type",
                        "journal block " + p + " in the live log [" + tail + ", " + head.index()
                                + ") is neither a log header nor a log descriptor");
            }
        }
        return end;
    }

    private static LogHeader writeCleanHeader(JournalIo io, JournalHead head, int jid, Clock clock) throws IOException {
        long index = (head.index() + 1) % io.size();
        Instant now = clock.instant();
        LogHeader.Builder b = LogHeader.builder()
                .jid(jid)
                .sequence(head.sequence() + 1)
                .flags(LogHeader.FLAG_UNMOUNT | LogHeader.FLAG_RECOVERY)
                .tail(index)
                .blkno(index)
                .time(now.getEpochSecond(), now.getNano())
                .addr(io.deviceBlock(index))
                .jinode(head.header().jinode());
        ByteBuffer block = b.encode(io.bsize(), true);
        io.writeBlock(index, block);
        io.flush();
        return b.build(io.bsize(), true);
    }
}
