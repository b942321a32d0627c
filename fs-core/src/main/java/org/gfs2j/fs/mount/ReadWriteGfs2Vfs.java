package org.gfs2j.fs.mount;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.gfs2j.fs.alloc.RgrpLocks;
import org.gfs2j.fs.cache.FsTransaction;
import org.gfs2j.fs.dir.DirBlockIo;
import org.gfs2j.fs.dir.DirectoryWriter;
import org.gfs2j.fs.glock.GlockName;
import org.gfs2j.fs.glock.GlockState;
import org.gfs2j.fs.glock.Holder;
import org.gfs2j.fs.glock.HolderFlags;
import org.gfs2j.fs.glock.HolderSet;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.ondisk.Dirent;
import org.gfs2j.fs.ondisk.Inum;
import org.gfs2j.fs.vfs.FsException;
import org.gfs2j.fs.vfs.FsStatistics;
import org.gfs2j.fs.vfs.Gfs2Vfs;
import org.gfs2j.fs.vfs.InodeAttributes;
import org.gfs2j.fs.vfs.ReadOnlyGfs2Vfs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first read-write slice of {@link Gfs2Vfs} over a {@link Gfs2FileSystem}: reads are
 * {@link ReadOnlyGfs2Vfs}'s (over the mount's buffer cache, so they see every committed change);
 * namespace changes are journaled transactions taken in docs/lock-order.md's order (local mutation
 * lock, parent inode glock, child inode glock, rgrp glocks, transaction).
 *
 * <p>Implemented: rename within and across directories (RENAME_NOREPLACE; the victim freed at
 * its last link), symlink, link, create of regular files (mknod S_IFREG, EEXIST), write at any offset (stuffed,
 * unstuffing, height growth, holes; {@link FileData}), read, truncate up and down (setattr size,
 * O_TRUNC), setattr of mode/uid/gid/atime/mtime, mkdir, unlink (blocks freed at the last link),
 * rmdir (ENOTEMPTY), fsync. Not implemented (ENOSYS/EINVAL): RENAME_EXCHANGE, device/fifo nodes,
 * xattr changes, rmdir of exhash directories and removal of inodes with xattr blocks.
 * Unlinked-but-open inodes are freed at once (no iopen protocol yet): reads through a handle of a
 * removed file answer ESTALE.
 *
 * <p>Row 1 of the lock order is one mount-wide mutation lock: every modifying operation is
 * serialized on this node (correct, coarse; per-inode locks come with concurrent writers). File
 * reads take its shared side: they run concurrently with each other but never overlap a
 * modification, so every read sees all writes that completed before it (and none half done), and
 * a block freed by a truncation cannot be reused under a read that still maps it. Data blocks are
 * read from the device in one transfer per contiguous run ({@code FileReader#read}), since data is
 * written in place before the transaction mapping it commits; the tree comes through the cache.
 */
public final class ReadWriteGfs2Vfs implements Gfs2Vfs {
    private static final Logger LOG = LoggerFactory.getLogger(ReadWriteGfs2Vfs.class);
    private static final int O_ACCMODE = 03;
    private static final int O_TRUNC = 01000;
    private static final int S_IFMT = Dinode.S_IFMT;
    private static final int RENAME_NOREPLACE = 1;
    /** The cluster-wide rename lock (nondisk glock 3, spec dlm-glocks-fencing 4.13). */
    private static final GlockName RENAME_GLOCK = GlockName.nondisk(3);

    private final Gfs2FileSystem fs;
    private final ReadOnlyGfs2Vfs reads;
    /** Row 1 of the lock order: modifications hold it exclusively, file reads share it ({@link #read}). */
    private final ReentrantReadWriteLock mutationShared = new ReentrantReadWriteLock();
    private final Lock mutation = mutationShared.writeLock();
    private final boolean ownsMount;
    private final FileData data;
    private final java.util.concurrent.atomic.AtomicLong nextHandle = new java.util.concurrent.atomic.AtomicLong(1);
    /** Open regular files. Reads look the inode up again, so they see every write. */
    private final java.util.concurrent.ConcurrentHashMap<Long, OpenFile> files = new java.util.concurrent.ConcurrentHashMap<>();

    private record OpenFile(long ino, boolean writable) {
    }

    private ReadWriteGfs2Vfs(Gfs2FileSystem fs, boolean ownsMount) throws IOException {
        this.fs = fs;
        this.ownsMount = ownsMount;
        this.reads = ReadOnlyGfs2Vfs.over("gfs2j journal " + fs.jid, fs.reader);
        this.data = new FileData(fs);
    }

    /** The VFS over a mount; {@link #close} leaves the mount mounted. */
    public static ReadWriteGfs2Vfs over(Gfs2FileSystem fs) throws IOException {
        ReadWriteGfs2Vfs vfs = new ReadWriteGfs2Vfs(fs, false);
        vfs.freeUnlinked();
        return vfs;
    }

    /**
     * Finishes the unlinked protocol for inodes a crash left UNLINKED (a removal interrupted between
     * its transactions): single-node, nobody can have them open, so they are freed now. Reads every
     * rgrp's bitmap once. Returns how many were freed.
     */
    public int freeUnlinked() throws IOException {
        mutation.lock();
        try {
            List<Long> found = new ArrayList<>();
            for (int i = 0; i < fs.rgrps.size(); i++) {
                try (FsTransaction tx = FsTransaction.begin(fs.cache, fs.alloc.logBlocksFor(1), 0)) {
                    found.addAll(fs.alloc.unlinked(tx, i)); // looked at, never committed
                }
            }
            for (long addr : found) {
                try (Holder h = fs.glocks.acquire(GlockName.inode(addr), GlockState.EX)) {
                    LOG.info("freeing inode {} left unlinked by an interrupted removal", addr);
                    deallocateUnlinked(addr);
                }
            }
            return found.size();
        } finally {
            mutation.unlock();
        }
    }

    /** Mounts {@code fs} and returns the VFS; {@link #close} unmounts it. */
    public static ReadWriteGfs2Vfs mount(java.nio.file.Path image, MountConfig config) throws IOException {
        Gfs2FileSystem m = Gfs2FileSystem.mount(image, config);
        try {
            ReadWriteGfs2Vfs vfs = new ReadWriteGfs2Vfs(m, true);
            vfs.freeUnlinked();
            return vfs;
        } catch (IOException | RuntimeException e) {
            m.unmount();
            throw e;
        }
    }

    public Gfs2FileSystem fileSystem() {
        return fs;
    }

    // ---- reading: ReadOnlyGfs2Vfs over the mount's cache ----

    @Override
    public long rootIno() {
        return fs.rootAddr;
    }

    @Override
    public boolean isWritable() {
        return true;
    }

    @Override
    public InodeAttributes lookup(long parentIno, byte[] name) throws FsException {
        return reads.lookup(parentIno, name);
    }

    @Override
    public void forget(long ino, long count) {
        // nothing is kept per inode yet (see the class comment on unlinked-but-open inodes)
    }

    @Override
    public InodeAttributes getattr(long ino) throws FsException {
        return reads.getattr(ino);
    }

    @Override
    public byte[] readlink(long ino) throws FsException {
        return reads.readlink(ino);
    }

    @Override
    public long open(long ino, int flags) throws FsException {
        // the read-only VFS checks existence and type (ESTALE, EISDIR, EINVAL for non-regular files)
        reads.release(reads.open(ino, 0));
        if ((flags & O_TRUNC) != 0 && (flags & O_ACCMODE) != 0) {
            setattr(ino, null, null, null, 0L, null, null);
        }
        long h = nextHandle.getAndIncrement();
        files.put(h, new OpenFile(ino, (flags & O_ACCMODE) != 0));
        return h;
    }

    private long fileOf(long handle) throws FsException {
        OpenFile f = files.get(handle);
        if (f == null) {
            throw new FsException(FsException.EBADF, "no open file with handle " + handle);
        }
        return f.ino();
    }

    @Override
    public int read(long handle, long offset, int length, ByteBuffer dst) throws FsException {
        long ino = fileOf(handle);
        if (offset < 0 || length < 0) {
            throw new FsException(FsException.EINVAL, "negative offset or length");
        }
        return shared("read", ino, () -> {
            dinode(ino); // ESTALE once the file is gone
            return fs.reader.file(fs.reader.inode(ino)).read(offset, length, dst, fs.device);
        });
    }

    @Override
    public void release(long handle) {
        files.remove(handle);
    }

    @Override
    public long opendir(long ino) throws FsException {
        return reads.opendir(ino);
    }

    @Override
    public void readdir(long dirHandle, long cookie, boolean withAttributes, DirSink sink) throws FsException {
        reads.readdir(dirHandle, cookie, withAttributes, sink);
    }

    @Override
    public void releasedir(long dirHandle) {
        reads.releasedir(dirHandle);
    }

    @Override
    public byte[] getxattr(long ino, String name) throws FsException {
        return reads.getxattr(ino, name);
    }

    @Override
    public List<String> listxattr(long ino) throws FsException {
        return reads.listxattr(ino);
    }

    @Override
    public FsStatistics statfs() throws FsException {
        return reads.statfs();
    }

    // ---- modifying ----

    @Override
    public InodeAttributes setattr(long ino, Integer mode, Long uid, Long gid, Long size, Long atimeNanos,
            Long mtimeNanos) throws FsException {
        return modify("setattr", ino, () -> {
            try (Holder h = fs.glocks.acquire(GlockName.inode(ino), GlockState.EX)) {
                Dinode d = dinode(ino);
                if (size != null && size != d.size()) {
                    if (d.isDirectory()) {
                        throw new FsException(FsException.EISDIR, "is a directory");
                    }
                    if (!d.isRegular()) {
                        throw new FsException(FsException.EINVAL, "not a regular file");
                    }
                    if (size < 0 || size > maxFileSize()) {
                        throw new FsException(FsException.EINVAL, "size out of range: " + size);
                    }
                    if (size < d.size()) {
                        data.truncate(ino, size);
                    } else {
                        data.extend(ino, size);
                    }
                }
                try (FsTransaction tx = FsTransaction.begin(fs.cache, 1, 0)) {
                    ByteBuffer b = tx.modify(ino, GlockName.inode(ino));
                    Dinode cur = Dinode.decode(b, ino);
                    if (uid != null || gid != null) {
                        cur = cur.withOwner(uid != null ? uid : cur.uid(), gid != null ? gid : cur.gid());
                    }
                    cur.encode(b);
                    if (mode != null) {
                        b.putInt(Dinode.OFF_MODE, (cur.mode() & S_IFMT) | (mode & 07777));
                    }
                    long now = System.currentTimeMillis() * 1_000_000L;
                    if (atimeNanos != null) {
                        putTime(b, Dinode.OFF_ATIME, Dinode.OFF_ATIME_NSEC, atimeNanos);
                    }
                    if (mtimeNanos != null) {
                        putTime(b, Dinode.OFF_MTIME, Dinode.OFF_MTIME_NSEC, mtimeNanos);
                    }
                    putTime(b, Dinode.OFF_CTIME, Dinode.OFF_CTIME_NSEC, now);
                    tx.commit();
                }
            }
            return reads.getattr(ino);
        });
    }

    @Override
    public InodeAttributes mknod(long parentIno, byte[] name, int mode, int rdev, int uid, int gid)
            throws FsException {
        if ((mode & S_IFMT) != Dinode.S_IFREG && (mode & S_IFMT) != 0) {
            throw new FsException(FsException.ENOSYS, "only regular files can be created yet");
        }
        return create(parentIno, name, Dinode.S_IFREG | (mode & 07777), uid, gid, null);
    }

    @Override
    public InodeAttributes mkdir(long parentIno, byte[] name, int mode, int uid, int gid) throws FsException {
        return create(parentIno, name, Dinode.S_IFDIR | (mode & 07777), uid, gid, null);
    }

    /** Creates an empty regular file or directory: parent glock, rgrps, transaction, new inode's glock. */
    private InodeAttributes create(long parentIno, byte[] rawName, int mode, int uid, int gid, byte[] stuffed)
            throws FsException {
        String name = name(rawName);
        boolean dir = (mode & S_IFMT) == Dinode.S_IFDIR;
        long ino = modify(dir ? "mkdir" : "create", parentIno, () -> {
            try (Holder ph = fs.glocks.acquire(GlockName.inode(parentIno), GlockState.EX)) {
                Dinode parent = directoryDinode(parentIno);
                if (parent.nlink() >= 0xFFFFFFFFL && dir) {
                    throw new FsException(FsException.EMLINK, "too many links");
                }
                if (readOnlyWriter(parentIno).lookup(parentIno, name) != null) {
                    throw new FsException(FsException.EEXIST, "file exists");
                }
                try (RgrpLocks rl = fs.alloc.reserveRgrps(parentIno, 8);
                     FsTransaction tx = FsTransaction.begin(fs.cache, txBlocks(), 0)) {
                    fs.alloc.use(tx, rl);
                    Inum num = dir ? fs.alloc.allocateDinodeSpread(tx) : fs.alloc.allocateDinode(tx, parentIno);
                    tx.hold(fs.glocks.acquire(GlockName.inode(num.addr()), GlockState.EX, HolderFlags.ORDER_EXEMPT));
                    ByteBuffer b = tx.create(num.addr(), GlockName.inode(num.addr()));
                    long nowNs = System.currentTimeMillis() * 1_000_000L;
                    Dinode d = Dinode.create(num, mode).withOwner(uid & 0xFFFFFFFFL, gid & 0xFFFFFFFFL)
                            .withTimes(nowNs / 1_000_000_000L, nowNs % 1_000_000_000L)
                            .withGoals(num.addr(), num.addr());
                    if (dir) {
                        DirectoryWriter.initEmpty(b, d, parent.num());
                    } else {
                        d.withNlink(1).withBlocks(1).withSize(stuffed == null ? 0 : stuffed.length).encode(b);
                        if (stuffed != null) {
                            b.put(Dinode.SIZE, stuffed);
                        }
                    }
                    writer(tx, parentIno).add(parentIno, name, num, Dinode.dType(mode));
                    ByteBuffer pb = tx.modify(parentIno, GlockName.inode(parentIno));
                    Dinode p = Dinode.decode(pb, parentIno);
                    if (dir) {
                        p = p.withNlink(p.nlink() + 1);
                    }
                    p.encode(pb);
                    putTime(pb, Dinode.OFF_MTIME, Dinode.OFF_MTIME_NSEC, nowNs);
                    putTime(pb, Dinode.OFF_CTIME, Dinode.OFF_CTIME_NSEC, nowNs);
                    tx.commit();
                    return num.addr();
                } catch (FileAlreadyExistsException e) {
                    throw new FsException(FsException.EEXIST, "file exists");
                }
            }
        });
        return reads.getattr(ino);
    }

    @Override
    public InodeAttributes symlink(long parentIno, byte[] name, byte[] target, int uid, int gid) throws FsException {
        if (target.length == 0) {
            throw new FsException(FsException.ENOENT, "empty symbolic link target");
        }
        if (target.length >= fs.geo.maxStuffed()) { // GFS2 symlinks are always stuffed
            throw new FsException(FsException.ENAMETOOLONG, "symbolic link target longer than "
                    + (fs.geo.maxStuffed() - 1) + " bytes");
        }
        return create(parentIno, name, Dinode.S_IFLNK | 0777, uid, gid, target.clone());
    }

    /** A new name for {@code ino}: the directory's and the target's glocks, ascending (lock order row 3). */
    @Override
    public InodeAttributes link(long ino, long newParentIno, byte[] rawName) throws FsException {
        String name = name(rawName);
        modify("link", ino, () -> {
            try (HolderSet hs = fs.glocks.acquireOrdered(GlockState.EX, 0,
                    List.of(GlockName.inode(newParentIno), GlockName.inode(ino)))) {
                directoryDinode(newParentIno);
                Dinode t = dinode(ino);
                if (t.isDirectory()) {
                    throw new FsException(FsException.EPERM, "hard links to directories are not allowed");
                }
                if (t.nlink() >= 0xFFFFFFFFL) {
                    throw new FsException(FsException.EMLINK, "too many links");
                }
                if (t.nlink() == 0) {
                    throw new FsException(FsException.ENOENT, "the file has been removed");
                }
                if (readOnlyWriter(newParentIno).lookup(newParentIno, name) != null) {
                    throw new FsException(FsException.EEXIST, "file exists");
                }
                try (RgrpLocks rl = fs.alloc.reserveRgrps(newParentIno, 8);
                     FsTransaction tx = FsTransaction.begin(fs.cache, txBlocks(), 0)) {
                    fs.alloc.use(tx, rl);
                    writer(tx, newParentIno).add(newParentIno, name, t.num(), Dinode.dType(t.mode()));
                    long nowNs = System.currentTimeMillis() * 1_000_000L;
                    touch(tx, newParentIno, 0, nowNs, true);
                    touch(tx, ino, +1, nowNs, false);
                    tx.commit();
                }
            }
            return null;
        });
        return reads.getattr(ino);
    }

    /** Adds {@code nlinkDelta} to an inode's link count and sets its ctime (and mtime for a directory change). */
    private void touch(FsTransaction tx, long ino, int nlinkDelta, long nowNs, boolean mtime) throws IOException {
        ByteBuffer b = tx.modify(ino, GlockName.inode(ino));
        Dinode d = Dinode.decode(b, ino);
        d.withNlink(d.nlink() + nlinkDelta).encode(b);
        if (mtime) {
            putTime(b, Dinode.OFF_MTIME, Dinode.OFF_MTIME_NSEC, nowNs);
        }
        putTime(b, Dinode.OFF_CTIME, Dinode.OFF_CTIME_NSEC, nowNs);
    }

    @Override
    public void unlink(long parentIno, byte[] name) throws FsException {
        remove(parentIno, name, false);
    }

    @Override
    public void rmdir(long parentIno, byte[] name) throws FsException {
        remove(parentIno, name, true);
    }

    /**
     * Removes {@code name} and, at its last link, deallocates it: parent glock, victim glock, the
     * victim's rgrp glock, then one transaction.
     */
    private void remove(long parentIno, byte[] rawName, boolean dir) throws FsException {
        String name = name(rawName);
        if (name.equals(".") || name.equals("..")) {
            throw new FsException(dir ? FsException.EINVAL : FsException.EISDIR, "cannot remove " + name);
        }
        modify(dir ? "rmdir" : "unlink", parentIno, () -> {
            try (Holder ph = fs.glocks.acquire(GlockName.inode(parentIno), GlockState.EX)) {
                directoryDinode(parentIno);
                Dirent e = readOnlyWriter(parentIno).lookup(parentIno, name);
                if (e == null) {
                    throw new FsException(FsException.ENOENT, "no such entry");
                }
                long addr = e.inum().addr();
                try (Holder vh = fs.glocks.acquire(GlockName.inode(addr), GlockState.EX)) {
                    Dinode v = dinode(addr);
                    if (dir && !v.isDirectory()) {
                        throw new FsException(FsException.ENOTDIR, "not a directory");
                    }
                    if (!dir && v.isDirectory()) {
                        throw new FsException(FsException.EISDIR, "is a directory");
                    }
                    if (dir && v.entries() > 2) {
                        throw new FsException(FsException.ENOTEMPTY, "directory not empty");
                    }
                    boolean last = dir || v.nlink() <= 1;
                    if (last && (v.eattr() != 0 || v.isExhashDir() || (!v.isStuffed() && !v.isRegular()))) {
                        throw new FsException(FsException.ENOSYS,
                                "deallocating directories with leaf blocks or inodes with xattr blocks is not implemented yet");
                    }
                    if (last && !v.isStuffed()) {
                        removeWithBlocks(parentIno, name, addr);
                        return null;
                    }
                    try (RgrpLocks rl = fs.alloc.lockRgrpsForFree(List.of(addr));
                         FsTransaction tx = FsTransaction.begin(fs.cache, txBlocks(), 4)) {
                        fs.alloc.use(tx, rl);
                        if (writer(tx, parentIno).remove(parentIno, name) == null) {
                            throw new FsException(FsException.ENOENT, "no such entry");
                        }
                        long nowNs = System.currentTimeMillis() * 1_000_000L;
                        ByteBuffer pb = tx.modify(parentIno, GlockName.inode(parentIno));
                        Dinode p = Dinode.decode(pb, parentIno);
                        if (dir) {
                            p = p.withNlink(p.nlink() - 1);
                        }
                        p.encode(pb);
                        putTime(pb, Dinode.OFF_MTIME, Dinode.OFF_MTIME_NSEC, nowNs);
                        putTime(pb, Dinode.OFF_CTIME, Dinode.OFF_CTIME_NSEC, nowNs);
                        if (last) {
                            fs.alloc.freeDinode(tx, addr);
                        } else {
                            ByteBuffer vb = tx.modify(addr, GlockName.inode(addr));
                            Dinode cur = Dinode.decode(vb, addr);
                            cur.withNlink(cur.nlink() - 1).encode(vb);
                            putTime(vb, Dinode.OFF_CTIME, Dinode.OFF_CTIME_NSEC, nowNs);
                        }
                        if (last) {
                            tx.commitDurable(); // the freed dinode block may be reused for data at once
                        } else {
                            tx.commit();
                        }
                    }
                }
            }
            return null;
        });
    }

    /**
     * The last link of a file with blocks: the entry goes and the dinode becomes UNLINKED in one
     * transaction, its blocks are freed in further ones, then the dinode (docs/allocation.md, the
     * unlinked protocol; a crash in between leaves an UNLINKED inode that fsck.gfs2 frees).
     * Called with the parent's and the victim's glocks held.
     */
    private void removeWithBlocks(long parentIno, String name, long addr) throws IOException {
        try (RgrpLocks rl = fs.alloc.lockRgrpsForFree(List.of(addr));
             FsTransaction tx = FsTransaction.begin(fs.cache, txBlocks(), 0)) {
            fs.alloc.use(tx, rl);
            if (writer(tx, parentIno).remove(parentIno, name) == null) {
                throw new FsException(FsException.ENOENT, "no such entry");
            }
            long nowNs = System.currentTimeMillis() * 1_000_000L;
            ByteBuffer pb = tx.modify(parentIno, GlockName.inode(parentIno));
            Dinode.decode(pb, parentIno).encode(pb);
            putTime(pb, Dinode.OFF_MTIME, Dinode.OFF_MTIME_NSEC, nowNs);
            putTime(pb, Dinode.OFF_CTIME, Dinode.OFF_CTIME_NSEC, nowNs);
            ByteBuffer vb = tx.modify(addr, GlockName.inode(addr));
            Dinode.decode(vb, addr).withNlink(0).encode(vb);
            fs.alloc.markUnlinked(tx, addr);
            tx.commit();
        }
        deallocateUnlinked(addr);
    }

    /** Frees an UNLINKED inode's blocks (several transactions if needed), then its dinode. */
    private void deallocateUnlinked(long addr) throws IOException {
        if (!dinode(addr).isStuffed()) {
            data.truncate(addr, 0);
        }
        try (RgrpLocks rl = fs.alloc.lockRgrpsForFree(List.of(addr));
             FsTransaction tx = FsTransaction.begin(fs.cache, txBlocks(), 4)) {
            fs.alloc.use(tx, rl);
            fs.alloc.freeDinode(tx, addr);
            tx.commitDurable(); // the freed dinode block may be reused for data at once
        }
    }

    @Override
    public void rename(long parentIno, byte[] rawName, long newParentIno, byte[] rawNewName, int flags)
            throws FsException {
        String name = name(rawName);
        String newName = name(rawNewName);
        if ((flags & ~RENAME_NOREPLACE) != 0) {
            throw new FsException(FsException.EINVAL, "rename flags " + flags + " are not supported");
        }
        if (isDots(name) || isDots(newName)) {
            throw new FsException(FsException.EINVAL, "cannot rename . or ..");
        }
        modify("rename", parentIno, () -> {
            boolean crossDir = parentIno != newParentIno;
            // lock order rows 2 and 3: the rename glock for a move between directories, then all
            // four inode glocks ascending (docs/lock-order.md "Rename")
            try (Holder rename = crossDir ? fs.glocks.acquire(RENAME_GLOCK, GlockState.EX) : null) {
                directoryDinode(parentIno);
                directoryDinode(newParentIno);
                Dirent xe = readOnlyWriter(parentIno).lookup(parentIno, name);
                if (xe == null) {
                    throw new FsException(FsException.ENOENT, "no such entry");
                }
                Dirent ye = readOnlyWriter(newParentIno).lookup(newParentIno, newName);
                long x = xe.inum().addr();
                long y = ye == null ? 0 : ye.inum().addr();
                List<GlockName> names = new ArrayList<>(List.of(GlockName.inode(parentIno),
                        GlockName.inode(newParentIno), GlockName.inode(x)));
                if (y != 0) {
                    names.add(GlockName.inode(y));
                }
                try (HolderSet hs = fs.glocks.acquireOrdered(GlockState.EX, 0, names)) {
                    if (y == x) {
                        return null; // two names of one inode: nothing to do (POSIX)
                    }
                    if (y != 0 && (flags & RENAME_NOREPLACE) != 0) {
                        throw new FsException(FsException.EEXIST, "file exists");
                    }
                    Dinode xd = dinode(x);
                    Dinode yd = y == 0 ? null : dinode(y);
                    if (yd != null) {
                        if (xd.isDirectory() && !yd.isDirectory()) {
                            throw new FsException(FsException.ENOTDIR, "not a directory");
                        }
                        if (!xd.isDirectory() && yd.isDirectory()) {
                            throw new FsException(FsException.EISDIR, "is a directory");
                        }
                        if (yd.isDirectory() && yd.entries() > 2) {
                            throw new FsException(FsException.ENOTEMPTY, "directory not empty");
                        }
                        boolean yLast = yd.isDirectory() || yd.nlink() <= 1;
                        if (yLast && (yd.eattr() != 0 || yd.isExhashDir()
                                || (!yd.isStuffed() && !yd.isRegular()))) {
                            throw new FsException(FsException.ENOSYS,
                                    "deallocating directories with leaf blocks or inodes with xattr blocks is not implemented yet");
                        }
                    }
                    if (xd.isDirectory() && crossDir && isInside(newParentIno, x)) {
                        throw new FsException(FsException.EINVAL, "cannot move a directory into itself");
                    }
                    boolean yFreed = renameTx(parentIno, name, newParentIno, newName, x, xd, y, yd);
                    if (yFreed) {
                        deallocateUnlinked(y);
                    }
                }
            }
            return null;
        });
    }

    private static boolean isDots(String n) {
        return n.equals(".") || n.equals("..");
    }

    /** Whether {@code dir} is {@code ancestor} or lies below it (walking ".." up to the root). */
    private boolean isInside(long dir, long ancestor) throws IOException {
        long cur = dir;
        for (int depth = 0; depth < 100_000; depth++) {
            if (cur == ancestor) {
                return true;
            }
            if (cur == fs.rootAddr) {
                return false;
            }
            Dirent up = readOnlyWriter(cur).lookup(cur, "..");
            if (up == null || up.inum().addr() == cur) {
                return false;
            }
            cur = up.inum().addr();
        }
        throw new IOException("directory tree above inode " + dir + " is too deep or loops");
    }

    /**
     * One transaction: the old entry goes, the new one replaces any victim, a moved directory's
     * ".." follows it, link counts and times change. Returns true when the victim lost its last
     * link and is now UNLINKED (the caller frees it).
     */
    private boolean renameTx(long a, String name, long b, String newName, long x, Dinode xd, long y, Dinode yd)
            throws IOException {
        boolean xDir = xd.isDirectory();
        boolean yLast = yd != null && (yd.isDirectory() || yd.nlink() <= 1);
        try (RgrpLocks rl = fs.alloc.reserveRgrps(y != 0 ? y : b, 8);
             FsTransaction tx = FsTransaction.begin(fs.cache, 2 * txBlocks(), 4)) {
            fs.alloc.use(tx, rl);
            long nowNs = System.currentTimeMillis() * 1_000_000L;
            if (yd != null) {
                writer(tx, b).remove(b, newName);
                if (yLast) {
                    ByteBuffer yb = tx.modify(y, GlockName.inode(y));
                    Dinode.decode(yb, y).withNlink(0).encode(yb);
                    putTime(yb, Dinode.OFF_CTIME, Dinode.OFF_CTIME_NSEC, nowNs);
                    fs.alloc.markUnlinked(tx, y);
                } else {
                    touch(tx, y, -1, nowNs, false);
                }
            }
            if (writer(tx, a).remove(a, name) == null) {
                throw new FsException(FsException.ENOENT, "no such entry");
            }
            writer(tx, b).add(b, newName, xd.num(), Dinode.dType(xd.mode()));
            int aDelta = xDir && a != b ? -1 : 0;
            int bDelta = (xDir && a != b ? 1 : 0) - (yd != null && yd.isDirectory() ? 1 : 0);
            if (a == b) {
                touch(tx, a, aDelta + bDelta, nowNs, true);
            } else {
                touch(tx, a, aDelta, nowNs, true);
                touch(tx, b, bDelta, nowNs, true);
            }
            if (xDir && a != b) {
                Dinode bd = Dinode.decode(tx.read(b, GlockName.inode(b)), b);
                DirectoryWriter xw = writer(tx, x);
                xw.remove(x, "..");
                xw.add(x, "..", bd.num(), Dirent.DT_DIR);
            }
            touch(tx, x, 0, nowNs, false);
            tx.commit();
        }
        return yLast;
    }

    @Override
    public int write(long handle, long offset, ByteBuffer src) throws FsException {
        long ino = fileOf(handle);
        if (!files.get(handle).writable()) {
            throw new FsException(FsException.EBADF, "handle " + handle + " was opened read-only");
        }
        if (offset < 0) {
            throw new FsException(FsException.EINVAL, "negative offset");
        }
        byte[] bytes = new byte[src.remaining()];
        if (offset > maxFileSize() - bytes.length) {
            throw new FsException(FsException.EFBIG, "file too large");
        }
        src.get(bytes);
        return modify("write", ino, () -> {
            try (Holder h = fs.glocks.acquire(GlockName.inode(ino), GlockState.EX)) {
                if (!dinode(ino).isRegular()) {
                    throw new FsException(FsException.EINVAL, "not a regular file");
                }
                data.write(ino, offset, bytes);
            }
            return bytes.length;
        });
    }

    @Override
    public void fsync(long handle, boolean dataOnly) throws FsException {
        modify("fsync", 0, () -> {
            fs.device.flush(); // data was written in place
            fs.log.fsync();
            return null;
        });
    }

    /** Makes every committed change durable in the journal. */
    public void syncAll() throws FsException {
        fsync(0, false);
    }

    @Override
    public void setxattr(long ino, String name, byte[] value, int flags) throws FsException {
        throw notYet("setxattr");
    }

    @Override
    public void removexattr(long ino, String name) throws FsException {
        throw notYet("removexattr");
    }

    @Override
    public void close() throws IOException {
        if (ownsMount) {
            fs.unmount();
        }
    }

    // ---- helpers ----

    private static FsException notYet(String op) {
        return new FsException(FsException.ENOSYS, op + " is not implemented yet on the read-write file system");
    }

    /** The largest size the block tree can map (and a Java long can express). */
    private long maxFileSize() {
        return fs.geo.dataCapacity(fs.geo.maxHeight() - 1);
    }

    private int txBlocks() {
        // dinode, parent dinode, directory blocks a split or table growth may touch, rgrps, statfs
        return 64 + fs.alloc.logBlocksFor(fs.rgrps.size());
    }

    private static void putTime(ByteBuffer b, int secOff, int nsecOff, long nanos) {
        b.putLong(secOff, Math.floorDiv(nanos, 1_000_000_000L));
        b.putInt(nsecOff, (int) Math.floorMod(nanos, 1_000_000_000L));
    }

    private static String name(byte[] raw) throws FsException {
        if (raw.length == 0) {
            throw new FsException(FsException.ENOENT, "empty name");
        }
        if (raw.length > Dirent.MAX_NAME) {
            throw new FsException(FsException.ENAMETOOLONG, "name longer than " + Dirent.MAX_NAME + " bytes");
        }
        for (byte c : raw) {
            if (c == '/' || c == 0) {
                throw new FsException(FsException.EINVAL, "name contains '/' or NUL");
            }
        }
        try {
            // DirectoryWriter takes names as Strings (UTF-8); other byte sequences are refused for now
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw new FsException(FsException.EINVAL, "names that are not UTF-8 cannot be created yet");
        }
    }

    private Dinode dinode(long ino) throws IOException {
        ByteBuffer b = fs.cache.read(ino, GlockName.inode(ino));
        if (org.gfs2j.journal.format.MetaHeader.typeOf(b, 0) != org.gfs2j.journal.format.MetaType.DI) {
            throw new FsException(FsException.ESTALE, "inode " + ino + " is no dinode");
        }
        return Dinode.decode(b, ino);
    }

    private Dinode directoryDinode(long ino) throws IOException {
        Dinode d = dinode(ino);
        if (!d.isDirectory()) {
            throw new FsException(FsException.ENOTDIR, "not a directory");
        }
        return d;
    }

    /** The directory writer over a transaction: every block it touches is logged under the dir's glock. */
    private DirectoryWriter writer(FsTransaction tx, long dirAddr) {
        GlockName g = GlockName.inode(dirAddr);
        int bsize = fs.geo.bsize();
        return new DirectoryWriter(fs.geo, new DirBlockIo() {
            @Override
            public ByteBuffer read(long block) throws IOException {
                return tx.modify(block, g);
            }

            @Override
            public void write(long block, ByteBuffer data) throws IOException {
                ByteBuffer mine = tx.modify(block, g);
                if (mine != data) {
                    mine.put(0, data.duplicate().position(0), 0, bsize);
                }
            }

            @Override
            public long allocate(long goal) throws IOException {
                long b = fs.alloc.allocate(tx, goal, 1).get(0).start();
                tx.create(b, g);
                return b;
            }

            @Override
            public void free(long block) throws IOException {
                fs.alloc.free(tx, block, 1, true);
            }
        });
    }

    /** A directory writer for lookups outside a transaction (copies, never writes). */
    private DirectoryWriter readOnlyWriter(long dirAddr) {
        GlockName g = GlockName.inode(dirAddr);
        int bsize = fs.geo.bsize();
        return new DirectoryWriter(fs.geo, new DirBlockIo() {
            @Override
            public ByteBuffer read(long block) throws IOException {
                ByteBuffer copy = ByteBuffer.allocate(bsize);
                copy.put(0, fs.cache.read(block, g), 0, bsize);
                return copy;
            }

            @Override
            public void write(long block, ByteBuffer data) {
                throw new UnsupportedOperationException("lookup only");
            }

            @Override
            public long allocate(long goal) {
                throw new UnsupportedOperationException("lookup only");
            }

            @Override
            public void free(long block) {
                throw new UnsupportedOperationException("lookup only");
            }
        });
    }

    @FunctionalInterface
    private interface IoCall<T> {
        T run() throws IOException;
    }

    /**
     * Runs a read under the shared side of the mutation lock: reads run side by side, never while a
     * modification is half done, so a read sees every write that returned before it started (data
     * blocks are written in place before their transaction commits, the tree through the cache).
     */
    private <T> T shared(String op, long ino, IoCall<T> body) throws FsException {
        Lock l = mutationShared.readLock();
        l.lock();
        try {
            return body.run();
        } catch (FsException e) {
            throw e;
        } catch (IOException e) {
            LOG.error("{} of inode {} failed: {}", op, ino, e.getMessage());
            throw new FsException(op + " of inode " + ino + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            LOG.error("{} of inode {} failed", op, ino, e);
            throw new FsException(op + " of inode " + ino + ": " + e, e);
        } finally {
            l.unlock();
        }
    }

    /** Runs a modifying operation under the mutation lock; I/O failures become EIO (logged). */
    private <T> T modify(String op, long ino, IoCall<T> body) throws FsException {
        mutation.lock();
        try {
            return body.run();
        } catch (FsException e) {
            throw e;
        } catch (org.gfs2j.fs.alloc.NoSpaceException e) {
            throw new FsException(FsException.ENOSPC, op + ": " + e.getMessage());
        } catch (IOException e) {
            LOG.error("{} of inode {} failed: {}", op, ino, e.getMessage());
            throw new FsException(op + " of inode " + ino + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            LOG.error("{} of inode {} failed", op, ino, e);
            throw new FsException(op + " of inode " + ino + ": " + e, e);
        } finally {
            mutation.unlock();
        }
    }
}
