package org.gfs2j.dlm;

/**
 * Membership input to the lock manager, from the fencing/membership layer (or an operator).
 * Recovery waits until every node that left is reported fenced.
 */
public interface Membership {
    /** Node {@code nodeId} left or failed: every lockspace stops. */
    void nodeLeft(int nodeId);

    /** Node {@code nodeId} is cut off from the storage: its locks may be released. */
    void nodeFenced(int nodeId);

    /** Node {@code nodeId} (re)joined, started with {@code joining}. */
    void nodeJoined(int nodeId);
}
