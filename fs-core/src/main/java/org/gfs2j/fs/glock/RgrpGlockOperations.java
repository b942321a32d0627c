package org.gfs2j.fs.glock;

import java.io.IOException;

/**
 * Resource group glocks: leaving EX commits the journal for this rgrp and writes header and
 * bitmaps in place; going to UN drops them. The value block carries the rgrp's counts
 * ({@link RgrpLvb}): the EX holder keeps it current with {@link Holder#writeValueBlock} whenever
 * the header changes, and it reaches the DLM when the glock leaves EX.
 */
public final class RgrpGlockOperations implements GlockOperations {
    private final LogFlusher log;
    private final MetadataCache cache;

    public RgrpGlockOperations(LogFlusher log, MetadataCache cache) {
        this.log = log;
        this.cache = cache;
    }

    @Override
    public boolean usesValueBlock() {
        return true;
    }

    @Override
    public void sync(Glock glock, GlockState target) throws IOException {
        if (cache.isDirty(glock.name())) {
            log.flush(glock.name());
            cache.writeBack(glock.name());
        }
    }

    @Override
    public void invalidate(Glock glock, GlockState target) {
        cache.invalidate(glock.name(), true);
        GlockObject o = glock.attachment();
        if (o != null) {
            o.invalidate(glock, true);
        }
    }
}
