package org.gfs2j.fs.glock;

/**
 * iopen glocks hold no data. A request from elsewhere to take an SH iopen glock to UN means
 * another node tries to deallocate an unlinked inode (TRY_1CB): the attached in-core inode is
 * told, and schedules its "may I evict and deallocate?" check (spec 4.7).
 */
public final class IopenGlockOperations implements GlockOperations {
    @Override
    public void demoteRequested(Glock glock, GlockState target) {
        GlockObject o = glock.attachment();
        if (o != null && target == GlockState.UN && glock.state() == GlockState.SH) {
            o.demoteRequested(glock, target);
        }
    }
}
