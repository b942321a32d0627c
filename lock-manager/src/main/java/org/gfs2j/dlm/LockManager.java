package org.gfs2j.dlm;

/**
 * A node's lock manager: opens lockspaces. {@link org.gfs2j.dlm.node.InProcessLockManager} for a
 * single node (no network), {@link org.gfs2j.dlm.node.DlmNode} for a cluster member; both run the
 * same core.
 */
public interface LockManager extends AutoCloseable {
    int nodeId();

    /** Opens (or returns the already open) lockspace {@code name}; every member must open it. */
    Lockspace openLockspace(String name);

    /** A lock dump of every open lockspace (the data behind {@code dlm_tool lockdebug}). */
    String dump();

    @Override
    void close();
}
