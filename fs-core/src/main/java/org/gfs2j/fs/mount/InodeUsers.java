package org.gfs2j.fs.mount;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.gfs2j.fs.glock.Glock;
import org.gfs2j.fs.glock.GlockManager;
import org.gfs2j.fs.glock.GlockName;
import org.gfs2j.fs.glock.GlockObject;
import org.gfs2j.fs.glock.GlockState;
import org.gfs2j.fs.glock.GlockTryFailedException;
import org.gfs2j.fs.glock.Holder;
import org.gfs2j.fs.glock.HolderFlags;

/**
 * Who uses each inode on this node, and the iopen glock that tells the cluster so (spec
 * dlm-glocks-fencing 4.7, docs/allocation.md "Unlinked-but-open inodes"): open handles
 * ({@link #opened}/{@link #released}) and kernel references ({@link #referenced}/{@link #forgotten},
 * taken by lookup and readdir with attributes). While an inode has a user here its iopen glock is
 * held in SH. When its last link goes, {@link #tryDeallocate} decides: still used here, or the
 * iopen glock cannot be had in EX (another node uses it) → it stays UNLINKED and the last user
 * frees it; otherwise the caller deallocates it at once under the returned EX holder.
 *
 * <p>{@link #released} and {@link #forgotten} return true when the last user of an inode that was
 * unlinked while in use (or that another node asked to delete) is gone: the caller then checks
 * the dinode under its glock and deallocates it ({@link #tryDeallocate} again).
 *
 * <p>Thread-safe. The iopen glock is acquired outside this object's monitor (it may wait for
 * another node's EX holder, i.e. a deletion in progress).
 */
final class InodeUsers {
    private final GlockManager glocks;
    private final Map<Long, Use> uses = new HashMap<>();

    /** One inode's users on this node. */
    private static final class Use implements GlockObject {
        long opens;
        long refs;
        /** Callers between being counted and holding the iopen glock. */
        int arriving;
        Holder iopen;
        /** The last link went while this node used the inode (or another node asked to delete it). */
        volatile boolean unlinked;

        boolean unused() {
            return opens == 0 && refs == 0 && arriving == 0;
        }

        @Override
        public void demoteRequested(Glock glock, GlockState target) {
            // another node tries to delete the inode (TRY_1CB): the last user here checks it
            unlinked = true;
        }
    }

    InodeUsers(GlockManager glocks) {
        this.glocks = glocks;
    }

    /** A handle was opened on {@code ino}. */
    void opened(long ino) throws IOException {
        take(ino, 1, 0);
    }

    /** The kernel was handed {@code n} references to {@code ino} (lookup, readdir with attributes). */
    void referenced(long ino, long n) throws IOException {
        if (n > 0) {
            take(ino, 0, n);
        }
    }

    /** A handle of {@code ino} was released; true when the caller must check for deallocation. */
    boolean released(long ino) {
        return drop(ino, 1, 0);
    }

    /** The kernel dropped {@code n} references; true when the caller must check for deallocation. */
    boolean forgotten(long ino, long n) {
        return drop(ino, 0, n);
    }

    synchronized boolean inUse(long ino) {
        return uses.containsKey(ino);
    }

    /** Open handles of {@code ino} on this node (for tests and diagnostics). */
    synchronized long openCount(long ino) {
        Use u = uses.get(ino);
        return u == null ? 0 : u.opens;
    }

    /** Kernel references to {@code ino} on this node (for tests and diagnostics). */
    synchronized long referenceCount(long ino) {
        Use u = uses.get(ino);
        return u == null ? 0 : u.refs;
    }

    private void take(long ino, long opens, long refs) throws IOException {
        Use u;
        synchronized (this) {
            u = uses.computeIfAbsent(ino, k -> new Use());
            u.arriving++;
        }
        try {
            synchronized (u) {
                if (u.iopen == null) {
                    Holder h = glocks.acquire(GlockName.iopen(ino), GlockState.SH);
                    h.glock().attach(u);
                    u.iopen = h;
                }
            }
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                u.arriving--;
                if (u.unused()) {
                    uses.remove(ino, u);
                }
            }
            throw e;
        }
        synchronized (this) {
            u.arriving--;
            u.opens += opens;
            u.refs += refs;
        }
    }

    private boolean drop(long ino, long opens, long refs) {
        Holder close;
        boolean check;
        synchronized (this) {
            Use u = uses.get(ino);
            if (u == null) {
                return false; // e.g. references to an inode handed out before it was freed
            }
            u.opens = Math.max(0, u.opens - opens);
            u.refs = Math.max(0, u.refs - refs);
            if (!u.unused()) {
                return false;
            }
            uses.remove(ino);
            close = u.iopen;
            check = u.unlinked;
        }
        if (close != null) {
            if (close.glock().attachment() instanceof Use) {
                close.glock().attach(null);
            }
            close.close();
        }
        return check;
    }

    /**
     * The last link of {@code ino} is gone (the caller holds its inode glock in EX): returns the
     * iopen glock in EX when nobody uses the inode any more, anywhere, so the caller deallocates
     * it now and then closes the holder; null when it must stay UNLINKED until its last user here
     * (marked, see {@link #released}) or on another node is gone.
     */
    Holder tryDeallocate(long ino) throws IOException {
        synchronized (this) {
            Use u = uses.get(ino);
            if (u != null) {
                u.unlinked = true;
                return null;
            }
        }
        try {
            return glocks.acquire(GlockName.iopen(ino), GlockState.EX, HolderFlags.TRY_1CB | HolderFlags.NOCACHE);
        } catch (GlockTryFailedException e) {
            synchronized (this) {
                Use u = uses.get(ino);
                if (u != null) {
                    u.unlinked = true; // a user arrived here meanwhile: it will check
                }
            }
            return null; // in use on another node: its last user deletes it
        }
    }

    /**
     * Unmount: drops every user and iopen glock; returns the inodes whose last link went while
     * they were in use (nobody can use them after this, the caller deallocates them).
     */
    List<Long> closeAll() {
        List<Long> unlinked = new ArrayList<>();
        List<Holder> close = new ArrayList<>();
        synchronized (this) {
            for (var e : uses.entrySet()) {
                if (e.getValue().unlinked) {
                    unlinked.add(e.getKey());
                }
                if (e.getValue().iopen != null) {
                    close.add(e.getValue().iopen);
                }
            }
            uses.clear();
        }
        for (Holder h : close) {
            h.close();
        }
        return unlinked;
    }
}
