package org.gfs2j.fs.glock;

import java.util.EnumMap;
import java.util.Map;

/** Which {@link GlockOperations} each glock type uses. */
@FunctionalInterface
public interface GlockOperationsTable {
    GlockOperations forType(GlockType type);

    /** The operations GFS2 uses per type, wired to this node's journal and caches. */
    static GlockOperationsTable standard(LogFlusher log, MetadataCache cache, PageCacheNotifier pages) {
        Map<GlockType, GlockOperations> m = new EnumMap<>(GlockType.class);
        GlockOperations plain = new CallbackGlockOperations();
        for (GlockType t : GlockType.values()) {
            m.put(t, plain);
        }
        m.put(GlockType.INODE, new InodeGlockOperations(log, cache, pages));
        m.put(GlockType.RGRP, new RgrpGlockOperations(log, cache));
        m.put(GlockType.IOPEN, new IopenGlockOperations());
        m.put(GlockType.QUOTA, new ValueBlockGlockOperations());
        return m::get;
    }
}
