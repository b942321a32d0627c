package org.gfs2j.fs.glock;

import java.util.ArrayList;
import java.util.List;

/**
 * The cheap part of docs/lock-order.md, checked per thread when a holder is queued: never wait
 * for a glock of an earlier class while holding one of a later class (rename &lt; inode &lt; quota
 * &lt; rgrp), and take quota glocks (users before groups, by id) and rgrp glocks (by number) in
 * {@link GlockName} order. Inode glocks among themselves
 * are not checked (parent before child may be a descending number); {@link GlockManager#acquireOrdered}
 * sorts them. Try locks, iopen, flock, journal, meta and the other nondisk glocks are exempt (they
 * never wait in a cycle, or are held for a mount's or an inode's lifetime), as is any holder with
 * {@link HolderFlags#ORDER_EXEMPT}.
 */
final class LockOrder {
    private final boolean enabled;
    private final ThreadLocal<List<Holder>> held = ThreadLocal.withInitial(ArrayList::new);

    LockOrder(boolean enabled) {
        this.enabled = enabled;
    }

    /** The class of a glock in the order, 0 = not ordered. */
    static int rank(GlockName n) {
        switch (n.type()) {
            case NONDISK: return n.number() == GlockName.NONDISK_RENAME ? 2 : 0;
            case INODE: return 3;
            case QUOTA: return 4;
            case RGRP: return 5;
            default: return 0;
        }
    }

    private boolean tracked(GlockName name, int flags) {
        return enabled && rank(name) > 0 && !HolderFlags.isTry(flags) && (flags & HolderFlags.ORDER_EXEMPT) == 0;
    }

    /** Throws if waiting for {@code name} now could deadlock against the documented order. */
    void check(GlockName name, int flags) {
        if (!tracked(name, flags)) {
            return;
        }
        int r = rank(name);
        for (Holder h : held.get()) {
            GlockName other = h.name();
            int ro = rank(other);
            boolean bad = ro > r || (ro == r && r != 3 && other.compareTo(name) > 0);
            if (bad) {
                throw new IllegalStateException("lock order violation: acquiring glock " + name + " while holding "
                        + other + " (see docs/lock-order.md)");
            }
        }
    }

    void track(Holder h) {
        if (!tracked(h.name(), h.flags())) {
            return;
        }
        List<Holder> list = held.get();
        h.orderList = list;
        synchronized (list) {
            list.add(h);
        }
    }

    void released(Holder h) {
        List<Holder> list = h.orderList;
        if (list != null) {
            synchronized (list) {
                list.remove(h);
            }
            h.orderList = null;
        }
    }
}
