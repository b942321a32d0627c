package org.gfs2j.fs.glock;

import java.io.IOException;

/**
 * Inode glocks: leaving EX writes back the kernel's dirty pages, commits the journal for this
 * glock and writes its metadata in place (with revokes); going to UN drops cached blocks, the
 * kernel's pages and attributes, and marks the in-core inode stale; going to DF drops data only.
 * A grant re-reads the dinode through the attached object.
 */
public final class InodeGlockOperations implements GlockOperations {
    private final LogFlusher log;
    private final MetadataCache cache;
    private final PageCacheNotifier pages;

    public InodeGlockOperations(LogFlusher log, MetadataCache cache, PageCacheNotifier pages) {
        this.log = log;
        this.cache = cache;
        this.pages = pages;
    }

    @Override
    public void sync(Glock glock, GlockState target) throws IOException {
        GlockName name = glock.name();
        // Kernel pages first: laundering them produces writes (and transactions) under this glock.
        pages.writeBack(name.number());
        if (cache.isDirty(name)) {
            log.flush(name);
            cache.writeBack(name);
        }
    }

    @Override
    public void invalidate(Glock glock, GlockState target) {
        boolean metadata = target != GlockState.DF;
        cache.invalidate(glock.name(), metadata);
        pages.invalidate(glock.name().number(), !metadata);
        GlockObject o = glock.attachment();
        if (o != null) {
            o.invalidate(glock, metadata);
        }
    }
}
