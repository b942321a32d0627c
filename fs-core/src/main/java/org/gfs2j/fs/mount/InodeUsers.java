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
    /** Inodes whose last user here is releasing the iopen glock right now (count of such releases). */
    private final Map<Long, Integer> closing = new HashMap<>();
    /** Of those, the ones whose last link went meanwhile: the releasing user checks them. */
    private final java.util.Set<Long> deferred = new java.util.HashSet<>();

    /** One inode's users on this node. */
    private static final class Use implements GlockObject {
        long opens;
        long refs;
        /** Callers between being counted and holding the iopen glock. */
        int arriving;
        Holder iopen;
        /** The first user found the inode freed: nobody may use this entry (ESTALE). */
        boolean gone;
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

    /** Whether a block still holds an allocated dinode (bitmap DINODE or UNLINKED). */
    @FunctionalInterface
    interface DinodeCheck {
        boolean allocated(long ino) throws IOException;
    }

    private final DinodeCheck dinodes;

    InodeUsers(GlockManager glocks, DinodeCheck dinodes) {
        this.glocks = glocks;
        this.dinodes = dinodes;
    }

    /**
     * A handle was opened on {@code ino}. False (nothing counted) when the inode turned out to be
     * freed already: it was removed and deallocated between the caller's look at it and the iopen
     * glock (the caller answers ESTALE).
     */
    boolean opened(long ino) throws IOException {
        return take(ino, 1, 0);
    }

    /** The kernel was handed {@code n} references to {@code ino} (lookup, readdir with attributes); as {@link #opened}. */
    boolean referenced(long ino, long n) throws IOException {
        return n <= 0 || take(ino, 0, n);
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

    private boolean take(long ino, long opens, long refs) throws IOException {
        Use u;
        synchronized (this) {
            u = uses.computeIfAbsent(ino, k -> new Use());
            u.arriving++;
        }
        boolean alive;
        try {
            synchronized (u) {
                if (u.iopen == null && !u.gone) {
                    Holder h = glocks.acquire(GlockName.iopen(ino), GlockState.SH);
                    boolean allocated;
                    try {
                        // holding the glock nobody can free the inode any more; was it freed before?
                        allocated = dinodes.allocated(ino);
                    } catch (IOException | RuntimeException e) {
                        h.close();
                        throw e;
                    }
                    h.glock().attach(u);
                    u.iopen = h;
                    u.gone = !allocated;
                }
                alive = !u.gone;
            }
        } catch (IOException | RuntimeException e) {
            leave(ino, u, 0, 0, true);
            throw e;
        }
        if (!alive) {
            leave(ino, u, 0, 0, true);
            return false;
        }
        synchronized (this) {
            u.arriving--;
            u.opens += opens;
            u.refs += refs;
        }
        return true;
    }

    private boolean drop(long ino, long opens, long refs) {
        Use u;
        synchronized (this) {
            u = uses.get(ino);
            if (u == null) {
                return false; // e.g. references to an inode handed out before it was freed
            }
        }
        return leave(ino, u, opens, refs, false);
    }

    /**
     * Takes {@code opens}/{@code refs} (or one arriving caller) off {@code u}; the last user
     * releases the iopen glock. Returns true when that last user must check for deallocation.
     */
    private boolean leave(long ino, Use u, long opens, long refs, boolean arriving) {
        Holder close;
        boolean check;
        synchronized (this) {
            if (arriving) {
                u.arriving--;
            }
            u.opens = Math.max(0, u.opens - opens);
            u.refs = Math.max(0, u.refs - refs);
            if (!u.unused() || uses.get(ino) != u) {
                return false;
            }
            uses.remove(ino);
            close = u.iopen;
            check = u.unlinked && !u.gone;
            closing.merge(ino, 1, Integer::sum);
        }
        try {
            if (close != null) {
                if (close.glock().attachment() == u) { // not a newer user's, who took the glock meanwhile
                    close.glock().attach(null);
                }
                close.close();
            }
        } finally {
            synchronized (this) {
                if (closing.merge(ino, -1, Integer::sum) == 0) {
                    closing.remove(ino);
                    check |= deferred.remove(ino);
                }
            }
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
                } else if (closing.containsKey(ino)) {
                    deferred.add(ino); // our last user is still letting go of its SH: it will check
                }
            }
            return null; // else in use on another node: its last user deletes it
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
            unlinked.addAll(deferred);
            deferred.clear();
        }
        for (Holder h : close) {
            h.close();
        }
        return unlinked;
    }
}
