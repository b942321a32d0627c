package org.gfs2j.fs.glock;

import java.util.List;

/** One fake node: a GlockManager on a FakeDlm lockspace with a manual worker and recording caches. */
final class TestNode implements AutoCloseable {
    final int id;
    final ManualScheduler worker = new ManualScheduler();
    final RecordingCaches caches;
    final GlockManager glocks;

    TestNode(FakeDlm dlm, int id, List<String> log, GlockConfig config) {
        this.id = id;
        this.caches = new RecordingCaches("n" + id, log);
        this.glocks = new GlockManager(dlm.node(id), caches.table(), worker, config);
    }

    @Override
    public void close() {
        glocks.close();
    }
}
