package org.gfs2j.fs.mount;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.gfs2j.fs.alloc.RgrpLocks;
import org.gfs2j.fs.cache.FsTransaction;
import org.gfs2j.fs.dir.DirectoryWriter;
import org.gfs2j.fs.glock.GlockName;
import org.gfs2j.fs.glock.GlockState;
import org.gfs2j.fs.glock.Holder;
import org.gfs2j.fs.glock.HolderSet;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.ondisk.Dirent;
import org.gfs2j.fs.vfs.FsException;

/**
 * renameat2(RENAME_EXCHANGE): two existing names swap the inodes they refer to, in one
 * transaction. A directory swapped into another parent gets its ".." pointed there, and each
 * parent's link count follows the subdirectories it gained or lost (a directory may be swapped
 * with a non-directory). Locks as for any rename (docs/lock-order.md "Rename"): the rename glock
 * when the parents differ, then the four inode glocks ascending.
 *
 * <p>Errors: EINVAL for RENAME_EXCHANGE combined with RENAME_NOREPLACE or RENAME_WHITEOUT, for
 * "." or "..", and when a directory would end up below itself; ENOENT when either name is missing.
 */
final class RenameExchange {
    static final int RENAME_NOREPLACE = 1;
    static final int RENAME_EXCHANGE = 2;
    private static final GlockName RENAME_GLOCK = GlockName.nondisk(3);

    private final ReadWriteGfs2Vfs vfs;

    /** Created with the VFS (its mount is read through {@link ReadWriteGfs2Vfs#fileSystem} at each call). */
    RenameExchange(ReadWriteGfs2Vfs vfs) {
        this.vfs = vfs;
    }

    /** Checks the flags and names before any lock is taken. */
    static void check(int flags, byte[] name, byte[] newName) throws FsException {
        if (flags != RENAME_EXCHANGE) {
            throw new FsException(FsException.EINVAL, "RENAME_EXCHANGE cannot be combined with other flags (" + flags + ")");
        }
        if (isDots(name) || isDots(newName)) {
            throw new FsException(FsException.EINVAL, "cannot exchange . or ..");
        }
    }

    private static boolean isDots(byte[] n) {
        return (n.length == 1 && n[0] == '.') || (n.length == 2 && n[0] == '.' && n[1] == '.');
    }

    /** Swaps {@code a/an} and {@code b/bn}; called under the mount's mutation lock. */
    void exchange(long a, byte[] an, long b, byte[] bn) throws IOException {
        Gfs2FileSystem fs = vfs.fileSystem();
        boolean cross = a != b;
        try (Holder rename = cross ? fs.glocks.acquire(RENAME_GLOCK, GlockState.EX) : null) {
            vfs.directoryDinode(a);
            vfs.directoryDinode(b);
            Dirent xe = vfs.readOnlyWriter(a).lookup(a, an);
            Dirent ye = vfs.readOnlyWriter(b).lookup(b, bn);
            if (xe == null || ye == null) {
                throw new FsException(FsException.ENOENT, "no such entry");
            }
            long x = xe.inum().addr();
            long y = ye.inum().addr();
            try (HolderSet hs = fs.glocks.acquireOrdered(GlockState.EX, 0, List.of(GlockName.inode(a),
                    GlockName.inode(b), GlockName.inode(x), GlockName.inode(y)))) {
                if (x == y) {
                    return; // two names of one inode: nothing changes (as in Linux)
                }
                Dinode xd = vfs.dinode(x);
                Dinode yd = vfs.dinode(y);
                if (cross && xd.isDirectory() && vfs.isInside(b, x)) {
                    throw new FsException(FsException.EINVAL, "cannot move a directory below itself");
                }
                if (cross && yd.isDirectory() && vfs.isInside(a, y)) {
                    throw new FsException(FsException.EINVAL, "cannot move a directory below itself");
                }
                swapTx(a, an, b, bn, xd, yd);
            }
        }
    }

    private void swapTx(long a, byte[] an, long b, byte[] bn, Dinode xd, Dinode yd) throws IOException {
        Gfs2FileSystem fs = vfs.fileSystem();
        long x = xd.num().addr();
        long y = yd.num().addr();
        boolean cross = a != b;
        // Removing both names first leaves room for both again; a split is still possible when
        // the first insertion lands in the other's hole, hence the reservation.
        try (RgrpLocks rl = fs.alloc.reserveRgrps(b, 8);
             FsTransaction tx = FsTransaction.begin(fs.cache, 2 * vfs.txBlocks(), 4)) {
            fs.alloc.use(tx, rl);
            DirectoryWriter wa = vfs.writer(tx, a);
            DirectoryWriter wb = vfs.writer(tx, b);
            if (wa.remove(a, an) == null || wb.remove(b, bn) == null) {
                throw new FsException(FsException.ENOENT, "no such entry");
            }
            wa.add(a, an, yd.num(), Dinode.dType(yd.mode()));
            wb.add(b, bn, xd.num(), Dinode.dType(xd.mode()));
            long nowNs = System.currentTimeMillis() * 1_000_000L;
            if (cross) {
                int aDelta = (yd.isDirectory() ? 1 : 0) - (xd.isDirectory() ? 1 : 0);
                touch(tx, a, aDelta, nowNs, true);
                touch(tx, b, -aDelta, nowNs, true);
                if (xd.isDirectory()) {
                    reparent(tx, x, b);
                }
                if (yd.isDirectory()) {
                    reparent(tx, y, a);
                }
            } else {
                touch(tx, a, 0, nowNs, true);
            }
            touch(tx, x, 0, nowNs, false);
            touch(tx, y, 0, nowNs, false);
            tx.commit();
        }
    }

    /** Points directory {@code dir}'s ".." at {@code parent}. */
    private void reparent(FsTransaction tx, long dir, long parent) throws IOException {
        Dinode pd = Dinode.decode(tx.read(parent, GlockName.inode(parent)), parent);
        DirectoryWriter w = vfs.writer(tx, dir);
        w.remove(dir, "..");
        w.add(dir, "..", pd.num(), Dirent.DT_DIR);
    }

    private static void touch(FsTransaction tx, long ino, int nlinkDelta, long nowNs, boolean mtime) throws IOException {
        ByteBuffer b = tx.modify(ino, GlockName.inode(ino));
        Dinode d = Dinode.decode(b, ino);
        d.withNlink(d.nlink() + nlinkDelta).encode(b);
        if (mtime) {
            ReadWriteGfs2Vfs.putTime(b, Dinode.OFF_MTIME, Dinode.OFF_MTIME_NSEC, nowNs);
        }
        ReadWriteGfs2Vfs.putTime(b, Dinode.OFF_CTIME, Dinode.OFF_CTIME_NSEC, nowNs);
    }
}
