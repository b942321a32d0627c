package org.gfs2j.fuse.lock;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.gfs2j.fuse.fs.Context;
import org.gfs2j.fuse.fs.ErrnoException;
import org.gfs2j.fuse.fs.FileLock;
import org.gfs2j.fuse.protocol.Errno;
import org.gfs2j.fuse.protocol.Fuse;

/**
 * Process-local advisory locks with Linux semantics:
 * <ul>
 * <li>POSIX: locks of one owner never conflict with each other; a new lock replaces the owner's
 *     overlapping ranges (splitting them) and merges with adjacent ranges of the same type; read
 *     locks of different owners share, a write lock conflicts with any overlapping lock of another
 *     owner.</li>
 * <li>flock: one lock per owner (open file description) per file, shared or exclusive; converting
 *     drops the old lock first (as Linux does: not atomic), so a failed non-blocking conversion
 *     leaves the owner unlocked.</li>
 * <li>POSIX and flock locks do not interact (as on Linux).</li>
 * </ul>
 * Waiters block on this object's monitor and leave with EINTR when their request is interrupted.
 */
public final class LocalLockTable implements LockTable {
    private record Range(long owner, long start, long end, int type, int pid) {
        boolean overlaps(long s, long e) {
            return start <= e && s <= end;
        }
    }

    private record Flock(int type, int pid) {
    }

    private static final class InodeLocks {
        final List<Range> posix = new ArrayList<>();
        final Map<Long, Flock> flocks = new HashMap<>();

        boolean isEmpty() {
            return posix.isEmpty() && flocks.isEmpty();
        }
    }

    private final Map<Long, InodeLocks> inodes = new HashMap<>();

    private InodeLocks locksOf(long nodeid) {
        return inodes.computeIfAbsent(nodeid, k -> new InodeLocks());
    }

    private void dropIfEmpty(long nodeid) {
        InodeLocks l = inodes.get(nodeid);
        if (l != null && l.isEmpty()) {
            inodes.remove(nodeid);
        }
    }

    private static Range conflict(InodeLocks l, long owner, long start, long end, int type) {
        for (Range r : l.posix) {
            if (r.owner != owner && r.overlaps(start, end) && (type == Fuse.F_WRLCK || r.type == Fuse.F_WRLCK)) {
                return r;
            }
        }
        return null;
    }

    @Override
    public synchronized FileLock test(long nodeid, long owner, FileLock lock) {
        InodeLocks l = inodes.get(nodeid);
        if (l == null || lock.type() == Fuse.F_UNLCK) {
            return FileLock.unlocked();
        }
        Range c = conflict(l, owner, lock.start(), lock.end(), lock.type());
        return c == null ? FileLock.unlocked() : new FileLock(c.start, c.end, c.type, c.pid);
    }

    @Override
    public void lock(Context ctx, long nodeid, long owner, FileLock lock, boolean wait) throws ErrnoException {
        if (lock.start() < 0 || lock.end() < lock.start()) {
            throw new ErrnoException(Errno.EINVAL);
        }
        if (wait) {
            ctx.onInterrupt(this::wakeAll);
        }
        synchronized (this) {
            InodeLocks l = locksOf(nodeid);
            if (lock.type() != Fuse.F_UNLCK) {
                while (conflict(l, owner, lock.start(), lock.end(), lock.type()) != null) {
                    try {
                        awaitOrFail(ctx, wait);
                    } catch (ErrnoException e) {
                        dropIfEmpty(nodeid);
                        throw e;
                    }
                    l = locksOf(nodeid);
                }
            }
            replaceRange(l, owner, lock.start(), lock.end());
            if (lock.type() != Fuse.F_UNLCK) {
                l.posix.add(new Range(owner, lock.start(), lock.end(), lock.type(), lock.pid()));
                merge(l, owner);
            }
            dropIfEmpty(nodeid);
            notifyAll();
        }
    }

    /** Removes [start, end] from the owner's locks, keeping the parts outside it. */
    private static void replaceRange(InodeLocks l, long owner, long start, long end) {
        List<Range> keep = new ArrayList<>();
        for (Iterator<Range> it = l.posix.iterator(); it.hasNext(); ) {
            Range r = it.next();
            if (r.owner != owner || !r.overlaps(start, end)) {
                continue;
            }
            it.remove();
            if (r.start < start) {
                keep.add(new Range(owner, r.start, start - 1, r.type, r.pid));
            }
            if (r.end > end) {
                keep.add(new Range(owner, end + 1, r.end, r.type, r.pid));
            }
        }
        l.posix.addAll(keep);
    }

    /** Joins the owner's ranges of the same type that touch or overlap. */
    private static void merge(InodeLocks l, long owner) {
        List<Range> mine = new ArrayList<>();
        l.posix.removeIf(r -> {
            if (r.owner == owner) {
                mine.add(r);
                return true;
            }
            return false;
        });
        mine.sort((a, b) -> Long.compare(a.start, b.start));
        Range cur = null;
        for (Range r : mine) {
            if (cur != null && cur.type == r.type && (cur.end == Long.MAX_VALUE || r.start <= cur.end + 1)) {
                cur = new Range(owner, cur.start, Math.max(cur.end, r.end), cur.type, cur.pid);
            } else {
                if (cur != null) {
                    l.posix.add(cur);
                }
                cur = r;
            }
        }
        if (cur != null) {
            l.posix.add(cur);
        }
    }

    @Override
    public void flock(Context ctx, long nodeid, long owner, int type, boolean wait) throws ErrnoException {
        if (type < Fuse.F_RDLCK || type > Fuse.F_UNLCK) {
            throw new ErrnoException(Errno.EINVAL);
        }
        if (wait) {
            ctx.onInterrupt(this::wakeAll);
        }
        synchronized (this) {
            InodeLocks l = locksOf(nodeid);
            Flock mine = l.flocks.get(owner);
            if (mine != null && mine.type == type) {
                return;
            }
            if (mine != null) {
                l.flocks.remove(owner);
                notifyAll();
            }
            if (type == Fuse.F_UNLCK) {
                dropIfEmpty(nodeid);
                return;
            }
            while (flockConflict(l, owner, type)) {
                try {
                    awaitOrFail(ctx, wait);
                } catch (ErrnoException e) {
                    dropIfEmpty(nodeid);
                    throw e;
                }
                l = locksOf(nodeid);
            }
            l.flocks.put(owner, new Flock(type, ctx.pid()));
        }
    }

    private static boolean flockConflict(InodeLocks l, long owner, int type) {
        for (Map.Entry<Long, Flock> e : l.flocks.entrySet()) {
            if (e.getKey() != owner && (type == Fuse.F_WRLCK || e.getValue().type == Fuse.F_WRLCK)) {
                return true;
            }
        }
        return false;
    }

    /** Waits for a change (caller holds the monitor); EAGAIN if not waiting, EINTR if interrupted. */
    private void awaitOrFail(Context ctx, boolean wait) throws ErrnoException {
        if (!wait) {
            throw new ErrnoException(Errno.EAGAIN);
        }
        if (ctx.isInterrupted()) {
            throw new ErrnoException(Errno.EINTR);
        }
        try {
            wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ErrnoException(Errno.EINTR);
        }
        if (ctx.isInterrupted()) {
            throw new ErrnoException(Errno.EINTR);
        }
    }

    private synchronized void wakeAll() {
        notifyAll();
    }

    @Override
    public synchronized void releasePosix(long nodeid, long owner) {
        InodeLocks l = inodes.get(nodeid);
        if (l != null && l.posix.removeIf(r -> r.owner == owner)) {
            dropIfEmpty(nodeid);
            notifyAll();
        }
    }

    @Override
    public synchronized void releaseFlock(long nodeid, long owner) {
        InodeLocks l = inodes.get(nodeid);
        if (l != null && l.flocks.remove(owner) != null) {
            dropIfEmpty(nodeid);
            notifyAll();
        }
    }

    /** Number of POSIX ranges held on {@code nodeid} (tests, diagnostics). */
    public synchronized int posixLockCount(long nodeid) {
        InodeLocks l = inodes.get(nodeid);
        return l == null ? 0 : l.posix.size();
    }
}
