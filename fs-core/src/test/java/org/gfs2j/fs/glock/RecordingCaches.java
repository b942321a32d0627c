package org.gfs2j.fs.glock;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Fake journal, metadata cache and kernel page cache that record each call into a shared event
 * log (the same list the fake DLM records into), so tests can assert the order of sync,
 * invalidate and the DLM conversion.
 */
final class RecordingCaches implements LogFlusher, MetadataCache, PageCacheNotifier {
    private final String node;
    private final List<String> log;
    final Set<GlockName> dirty = new HashSet<>();

    RecordingCaches(String node, List<String> log) {
        this.node = node;
        this.log = log;
    }

    GlockOperationsTable table() {
        return GlockOperationsTable.standard(this, this, this);
    }

    @Override
    public void flush(GlockName glock) {
        log.add(node + " log.flush " + glock);
    }

    @Override
    public boolean isDirty(GlockName glock) {
        return dirty.contains(glock);
    }

    @Override
    public void writeBack(GlockName glock) {
        log.add(node + " meta.writeBack " + glock);
        dirty.remove(glock);
    }

    @Override
    public void invalidate(GlockName glock, boolean metadata) {
        log.add(node + " meta.invalidate " + glock + (metadata ? "" : " dataOnly"));
    }

    @Override
    public void writeBack(long inodeBlock) {
        log.add(node + " pages.writeBack " + Long.toHexString(inodeBlock));
    }

    @Override
    public void invalidate(long inodeBlock, boolean dataOnly) {
        log.add(node + " pages.invalidate " + Long.toHexString(inodeBlock) + (dataOnly ? " dataOnly" : ""));
    }
}
