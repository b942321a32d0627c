package org.gfs2j.fs.vfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.gfs2j.fs.meta.BlockSource;

/**
 * A bounded least-recently-used block cache in front of another {@link BlockSource}. Only for
 * devices nobody else writes while it is in use (a read-only mount); the read-write file system
 * will put its glock-aware buffer cache behind the same interface instead.
 *
 * <p>Cached buffers are read-only; every caller gets its own view (own position/limit).
 */
public final class CachingBlockSource implements BlockSource {
    private final BlockSource backing;
    private final int capacity;
    private final LinkedHashMap<Long, ByteBuffer> lru;
    private long hits;
    private long misses;

    public CachingBlockSource(BlockSource backing, int capacityBlocks) {
        if (capacityBlocks < 1) {
            throw new IllegalArgumentException("cache capacity must be at least 1 block: " + capacityBlocks);
        }
        this.backing = backing;
        this.capacity = capacityBlocks;
        this.lru = new LinkedHashMap<>(Math.min(capacityBlocks, 1 << 16), 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, ByteBuffer> eldest) {
                return size() > capacity;
            }
        };
    }

    @Override
    public int blockSize() {
        return backing.blockSize();
    }

    @Override
    public long blockCount() {
        return backing.blockCount();
    }

    @Override
    public ByteBuffer read(long block) throws IOException {
        synchronized (lru) {
            ByteBuffer b = lru.get(block);
            if (b != null) {
                hits++;
                return b.duplicate();
            }
            misses++;
        }
        // Read outside the lock: two threads may read the same block once each, which is harmless.
        ByteBuffer fresh = backing.read(block).asReadOnlyBuffer();
        synchronized (lru) {
            lru.put(block, fresh);
        }
        return fresh.duplicate();
    }

    public int capacity() {
        return capacity;
    }

    public synchronized String statistics() {
        synchronized (lru) {
            return lru.size() + "/" + capacity + " blocks cached, " + hits + " hits, " + misses + " misses";
        }
    }
}
