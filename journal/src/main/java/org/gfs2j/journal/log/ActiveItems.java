package org.gfs2j.journal.log;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * The active items list: blocks whose newest committed image is in the log but not yet written
 * in place. Each entry pins the flush it was logged in, so the tail cannot pass that flush until
 * the block is written back or superseded by a newer logged image. A revoked entry is not
 * written back (the block was freed) but keeps its flush pinned until the revoke itself is
 * committed. Guarded by the log's state lock.
 */
final class ActiveItems {
    static final class Entry {
        final long block;
        final ByteBuffer image;
        final FlushRecord record;
        boolean revoked;

        Entry(long block, ByteBuffer image, FlushRecord record) {
            this.block = block;
            this.image = image;
            this.record = record;
        }
    }

    private final Map<Long, Entry> entries = new LinkedHashMap<>();

    /** A committed image of {@code block} from {@code record}; releases the older image's pin. */
    void committed(long block, ByteBuffer image, FlushRecord record) {
        Entry e = new Entry(block, image, record);
        record.live++;
        record.logged.add(block);
        Entry old = entries.remove(block);
        if (old != null) {
            old.record.live--;
        }
        entries.put(block, e);
    }

    /** The block was freed: never write it back; its pin stays until the revoke commits. */
    void revoke(long block) {
        Entry e = entries.get(block);
        if (e != null) {
            e.revoked = true;
        }
    }

    /** The revoke of {@code block} is durable: drop a revoked entry. */
    void revokeCommitted(long block) {
        Entry e = entries.get(block);
        if (e != null && e.revoked) {
            entries.remove(block);
            e.record.live--;
        }
    }

    /** Entries to write back: not revoked and matching {@code which}. */
    List<Entry> toWriteBack(LongPredicate which) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries.values()) {
            if (!e.revoked && which.test(e.block)) {
                out.add(e);
            }
        }
        return out;
    }

    /** {@code e} was written in place and synced: drop it unless a newer image replaced it meanwhile. */
    boolean writtenBack(Entry e) {
        if (entries.get(e.block) == e && !e.revoked) {
            entries.remove(e.block);
            e.record.live--;
            return true;
        }
        return false;
    }

    /** The committed image of {@code block} waiting for write-back, or null (none, or revoked). */
    ByteBuffer image(long block) {
        Entry e = entries.get(block);
        return e == null || e.revoked ? null : e.image;
    }

    int size() {
        return entries.size();
    }

    boolean contains(long block) {
        return entries.containsKey(block);
    }
}
