package org.gfs2j.journal.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.gfs2j.journal.device.BlockDevice;
import org.gfs2j.journal.format.CorruptMetadataException;

/**
 * State shared by the replay passes over the live log {@code [tail, head)}: the revokes seen in
 * pass 0 (block → ring position of the descriptor or LB block that named it, later positions
 * winning) and the writes of pass 1. Positions are compared by their distance from the tail, so
 * "before" means earlier in log order whatever the wrap.
 */
final class ReplayContext {
    private final JournalIo io;
    private final long tail;
    private final Map<Long, Long> revokes = new HashMap<>();
    private final BlockDevice device;
    private long replayed;
    private long skippedRevoked;
    private long revokeEntries;

    ReplayContext(JournalIo io, long tail) {
        this.io = io;
        this.tail = tail;
        this.device = io.device();
    }

    long ring(long index) {
        return Math.floorMod(index, io.size());
    }

    long deviceBlock(long index) {
        return io.deviceBlock(ring(index));
    }

    ByteBuffer readLogBlock(long index) throws IOException {
        return io.readBlock(ring(index));
    }

    private long distance(long index) {
        return Math.floorMod(index - tail, io.size());
    }

    void recordRevoke(long block, long index) {
        revokeEntries++;
        long d = distance(index);
        revokes.merge(block, d, Math::max);
    }

    /** True when a revoke later in the log than {@code index} names {@code block}. */
    boolean isRevoked(long block, long index) {
        Long r = revokes.get(block);
        return r != null && distance(index) < r;
    }

    /** Writes a logged copy found at {@code index} to its home block unless it was revoked. */
    void replayBlock(long home, long index, ByteBuffer copy) throws IOException {
        if (isRevoked(home, index)) {
            skippedRevoked++;
            return;
        }
        checkTarget(home, index);
        device.writeBlock(home, io.bsize(), copy);
        replayed++;
    }

    /** A logged copy named by the descriptor at {@code index} must go to a block outside the journal. */
    void checkTarget(long home, long index) throws CorruptMetadataException {
        if (home < 0 || (home + 1) * io.bsize() > device.size()) {
            throw new CorruptMetadataException(deviceBlock(index), "log descriptor", "block number",
                    "logged copy targets block " + home + ", past the end of the device");
        }
        if (io.extents().containsDeviceBlock(home)) {
            throw new CorruptMetadataException(deviceBlock(index), "log descriptor", "block number",
                    "logged copy targets block " + home + ", inside the journal itself");
        }
    }

    long replayed() {
        return replayed;
    }

    long skippedRevoked() {
        return skippedRevoked;
    }

    long revokeEntries() {
        return revokeEntries;
    }
}
