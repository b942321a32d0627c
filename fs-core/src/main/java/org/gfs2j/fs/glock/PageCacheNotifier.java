package org.gfs2j.fs.glock;

import java.io.IOException;

/**
 * The kernel's caches for one inode, reached by the FUSE layer's notifications. The glock layer
 * calls this while an inode glock is being given up, before the DLM conversion is sent.
 */
public interface PageCacheNotifier {
    /**
     * The kernel must write back this inode's dirty pages now (FUSE: NOTIFY_INVAL_INODE with a page
     * range, which makes the kernel launder dirty pages back to us before dropping them). Returns
     * once they have reached fs-core. Called before giving up EX.
     *
     * <p>The writes this causes arrive while the glock's demote is in progress; they must be
     * served under the still-held EX lock without queueing a new holder (see docs/glocks.md).
     */
    void writeBack(long inodeBlock) throws IOException;

    /**
     * Drops this inode's cached pages and, unless {@code dataOnly}, its attributes and (for a
     * directory) its cached names. {@code dataOnly} is used when going to DF.
     */
    void invalidate(long inodeBlock, boolean dataOnly);

    PageCacheNotifier NONE = new PageCacheNotifier() {
        @Override
        public void writeBack(long inodeBlock) {
        }

        @Override
        public void invalidate(long inodeBlock, boolean dataOnly) {
        }
    };
}
