package org.gfs2j.fs.cache;

import java.nio.ByteBuffer;
import org.gfs2j.fs.glock.GlockName;

/**
 * One cached block. Its contents are an immutable snapshot: a commit installs a new array rather
 * than changing the old one, so a reader holding a view never sees a half-applied transaction.
 * State changes happen under the {@link BufferCache}'s monitor.
 */
final class Buffer {
    final long block;
    /** The glock covering this block; null for blocks read without one (offline read path). */
    GlockName glock;
    volatile byte[] data;
    /** Committed to the log (or being committed) and not yet written in place: never evicted. */
    boolean dirty;
    /** Open transactions holding a private copy of this block: never evicted while > 0. */
    int pins;

    Buffer(long block, GlockName glock, byte[] data) {
        this.block = block;
        this.glock = glock;
        this.data = data;
    }

    boolean isClean() {
        return !dirty && pins == 0;
    }

    ByteBuffer view() {
        return ByteBuffer.wrap(data).asReadOnlyBuffer();
    }
}
