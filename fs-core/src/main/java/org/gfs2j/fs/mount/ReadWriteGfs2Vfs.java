package org.gfs2j.fs.mount;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.gfs2j.fs.alloc.RgrpLocks;
import org.gfs2j.fs.cache.FsTransaction;
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
 * rmdir (ENOTEMPTY), fsync, setxattr/removexattr and the POSIX ACL rules of create and chmod
 * ({@link org.gfs2j.fs.xattr.XattrOperations}); mknod of fifos, sockets and devices
 * ({@link SpecialFiles}), RENAME_EXCHANGE ({@link RenameExchange}), fallocate ({@link FileSpace}),
 * SEEK_DATA/SEEK_HOLE; names are any bytes but '/' and NUL. The last link of any inode (exhash
 * directories, xattr blocks included) frees it through {@link InodeDeallocator}.
 * Open handles and kernel references (lookup, readdir with attributes, until forget) keep a
 * removed inode UNLINKED, readable and writable, until the last of them goes ({@link InodeUsers},
 * the iopen glock; docs/allocation.md "Unlinked-but-open inodes").
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
    private final InodeDeallocator dealloc;
    private final InodeUsers users;
    private final org.gfs2j.fs.xattr.XattrOperations xattrs;
    private final RenameExchange exchange = new RenameExchange(this);
    private final Withdraw withdraw;
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
        this.dealloc = new InodeDeallocator(fs);
        this.users = new InodeUsers(fs.glocks, this::isAllocatedDinode);
        this.xattrs = new org.gfs2j.fs.xattr.XattrOperations(fs);
        this.withdraw = new Withdraw(fs);
    }

    /** Whether (and why) this mount withdrew after finding corrupt metadata. */
    public Withdraw withdrawal() {
        return withdraw;
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
            int freed = 0;
            for (long addr : found) {
                try (Holder h = fs.glocks.acquire(GlockName.inode(addr), GlockState.EX);
                     Holder del = users.tryDeallocate(addr)) {
                    if (del != null) { // else still open somewhere: its last user frees it
                        LOG.info("freeing inode {} left unlinked by an interrupted removal or a crash", addr);
                        deallocateUnlinked(addr);
                        freed++;
                    }
                }
            }
            return freed;
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

    /** The deallocator (tests hook its transactions). */
    InodeDeallocator deallocator() {
        return dealloc;
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
        for (int attempt = 0; ; attempt++) {
            InodeAttributes a = noticed("lookup", parentIno, () -> reads.lookup(parentIno, name));
            try {
                referenced(a.ino());
                return a;
            } catch (FsException e) {
                if (e.errno() != FsException.ESTALE || attempt == 2) {
                    throw e;
                }
                // removed and freed between our look at the directory and the iopen glock: look again
            }
        }
    }

    /**
     * The caller hands a reference to {@code ino} on (to the kernel): it keeps an unlinked inode
     * until forget. ESTALE (and no reference) when the inode was freed before its iopen glock was had.
     */
    private void referenced(long ino) throws FsException {
        boolean alive;
        try {
            alive = users.referenced(ino, 1);
        } catch (IOException e) {
            throw new FsException("iopen glock of inode " + ino + ": " + e.getMessage(), e);
        }
        if (!alive) {
            throw new FsException(FsException.ESTALE, "inode " + ino + " has been freed");
        }
    }

    @Override
    public void forget(long ino, long count) {
        if (users.forgotten(ino, count)) {
            lastUserGone(ino);
        }
    }

    /**
     * The last user of an inode whose last link went while it was in use is gone: deallocate it
     * now if it is still unlinked and nobody (here or on another node) took it meanwhile.
     */
    private void lastUserGone(long ino) {
        try {
            modify("deallocate", ino, () -> {
                try (Holder h = fs.glocks.acquire(GlockName.inode(ino), GlockState.EX)) {
                    ByteBuffer b = fs.cache.read(ino, GlockName.inode(ino));
                    if (org.gfs2j.journal.format.MetaHeader.typeOf(b, 0) != org.gfs2j.journal.format.MetaType.DI
                            || Dinode.decode(b, ino).nlink() != 0) {
                        return null; // freed already, or linked again: nothing to do
                    }
                    try (Holder del = users.tryDeallocate(ino)) {
                        if (del != null) {
                            deallocateUnlinked(ino);
                        }
                    }
                }
                return null;
            });
        } catch (FsException e) {
            // it stays UNLINKED: the next mount's freeUnlinked (or fsck.gfs2) frees it
            LOG.error("deallocating unlinked inode {} after its last user failed: {}", ino, e.getMessage());
        }
    }

    @Override
    public InodeAttributes getattr(long ino) throws FsException {
        return noticed("getattr", ino, () -> reads.getattr(ino));
    }

    @Override
    public byte[] readlink(long ino) throws FsException {
        return noticed("readlink", ino, () -> reads.readlink(ino));
    }

    @Override
    public long open(long ino, int flags) throws FsException {
        // the read-only VFS checks existence and type (ESTALE, EISDIR, EINVAL for non-regular files)
        reads.release(noticed("open", ino, () -> reads.open(ino, 0)));
        boolean alive;
        try {
            alive = users.opened(ino);
        } catch (IOException e) {
            throw new FsException("iopen glock of inode " + ino + ": " + e.getMessage(), e);
        }
        if (!alive) {
            throw new FsException(FsException.ESTALE, "inode " + ino + " has been freed");
        }
        try {
            if ((flags & O_TRUNC) != 0 && (flags & O_ACCMODE) != 0) {
                setattr(ino, null, null, null, 0L, null, null);
            }
        } catch (FsException | RuntimeException e) {
            if (users.released(ino)) {
                lastUserGone(ino);
            }
            throw e;
        }
        long h = nextHandle.getAndIncrement();
        files.put(h, new OpenFile(ino, (flags & O_ACCMODE) != 0));
        return h;
    }

    /** Whether {@code ino}'s block is a dinode in the bitmap (in use or UNLINKED), not freed. */
    private boolean isAllocatedDinode(long ino) throws IOException {
        int state;
        try {
            state = fs.alloc.blockState(ino);
        } catch (IllegalArgumentException e) {
            return false; // outside the resource groups' data
        }
        return state == org.gfs2j.fs.ondisk.RgrpBitmap.DINODE || state == org.gfs2j.fs.ondisk.RgrpBitmap.UNLINKED;
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
        OpenFile f = files.remove(handle);
        if (f != null && users.released(f.ino())) {
            lastUserGone(f.ino());
        }
    }

    @Override
    public long opendir(long ino) throws FsException {
        return noticed("opendir", ino, () -> reads.opendir(ino));
    }

    @Override
    public void readdir(long dirHandle, long cookie, boolean withAttributes, DirSink sink) throws FsException {
        if (!withAttributes) {
            noticed("readdir", dirHandle, () -> {
                reads.readdir(dirHandle, cookie, false, sink);
                return null;
            });
            return;
        }
        FsException[] failed = new FsException[1];
        noticed("readdir", dirHandle, () -> {
            reads.readdir(dirHandle, cookie, true, e -> {
                if (!sink.accept(e)) {
                    return false;
                }
                if (e.attributes() != null && !e.isDotOrDotDot()) { // a reference handed on
                    try {
                        referenced(e.ino());
                    } catch (FsException x) {
                        if (x.errno() == FsException.ESTALE) {
                            return true; // removed and freed meanwhile: no reference, its later use is ESTALE
                        }
                        failed[0] = x;
                        return false;
                    }
                }
                return true;
            });
            return null;
        });
        if (failed[0] != null) {
            throw failed[0];
        }
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
                try (FsTransaction tx = FsTransaction.begin(fs.cache, 1 + org.gfs2j.fs.xattr.AclRules.CHMOD_BLOCKS, 0)) {
                    ByteBuffer b = tx.modify(ino, GlockName.inode(ino));
                    Dinode cur = Dinode.decode(b, ino);
                    if (uid != null || gid != null) {
                        cur = cur.withOwner(uid != null ? uid : cur.uid(), gid != null ? gid : cur.gid());
                    }
                    cur.encode(b);
                    if (mode != null) {
                        b.putInt(Dinode.OFF_MODE, (cur.mode() & S_IFMT) | (mode & 07777));
                        xattrs.chmod(tx, ino, (cur.mode() & S_IFMT) | (mode & 07777)); // the access ACL follows
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
        int type = SpecialFiles.mknodType(mode);
        return create(parentIno, name, type | (mode & 07777), uid, gid, null, SpecialFiles.isDevice(type) ? rdev : 0);
    }

    @Override
    public InodeAttributes mkdir(long parentIno, byte[] name, int mode, int uid, int gid) throws FsException {
        return create(parentIno, name, Dinode.S_IFDIR | (mode & 07777), uid, gid, null);
    }

    /** Creates an empty regular file or directory: parent glock, rgrps, transaction, new inode's glock. */
    private InodeAttributes create(long parentIno, byte[] rawName, int mode, int uid, int gid, byte[] stuffed)
            throws FsException {
        return create(parentIno, rawName, mode, uid, gid, stuffed, 0);
    }

    /** {@code rdev}: a device's number (new_encode_dev), kept in di_major/di_minor. */
    private InodeAttributes create(long parentIno, byte[] rawName, int mode, int uid, int gid, byte[] stuffed,
            int rdev) throws FsException {
        byte[] name = name(rawName);
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
                // the parent's default ACL decides the mode and ACLs (umask applied by the caller otherwise)
                org.gfs2j.fs.xattr.AclRules.Inherited acl = xattrs.inheritance(parentIno, mode);
                try (RgrpLocks rl = fs.alloc.reserveRgrps(parentIno, 8);
                     FsTransaction tx = FsTransaction.begin(fs.cache, txBlocks() + 2 * tableBlocks(parentIno),
                             tableBlocks(parentIno))) {
                    fs.alloc.use(tx, rl);
                    Inum num = dir ? fs.alloc.allocateDinodeSpread(tx) : fs.alloc.allocateDinode(tx, parentIno);
                    tx.hold(fs.glocks.acquire(GlockName.inode(num.addr()), GlockState.EX, HolderFlags.ORDER_EXEMPT));
                    ByteBuffer b = tx.create(num.addr(), GlockName.inode(num.addr()));
                    long nowNs = System.currentTimeMillis() * 1_000_000L;
                    Dinode d = Dinode.create(num, acl.mode()).withOwner(uid & 0xFFFFFFFFL, gid & 0xFFFFFFFFL)
                            .withTimes(nowNs / 1_000_000_000L, nowNs % 1_000_000_000L)
                            .withGoals(num.addr(), num.addr());
                    if (dir) {
                        DirectoryWriter.initEmpty(b, d, parent.num());
                    } else {
                        d.withNlink(1).withBlocks(1).withSize(stuffed == null ? 0 : stuffed.length)
                                .withDevice(SpecialFiles.major(rdev), SpecialFiles.minor(rdev)).encode(b);
                        if (stuffed != null) {
                            b.put(Dinode.SIZE, stuffed);
                        }
                    }
                    xattrs.applyOnCreate(tx, num.addr(), acl);
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
        byte[] name = name(rawName);
        modify("link", ino, () -> {
            try (HolderSet hs = fs.glocks.acquireOrdered(GlockState.EX, 0,
                    List.of(GlockName.inode(newParentIno), GlockName.inode(ino)))) {
                Dinode dirD = directoryDinode(newParentIno);
                Dinode t = dinode(ino);
                if (readOnlyWriter(newParentIno).lookup(newParentIno, name) != null) {
                    throw new FsException(FsException.EEXIST, "file exists"); // before EPERM, as linkat(2)
                }
                if (t.isDirectory()) {
                    throw new FsException(FsException.EPERM, "hard links to directories are not allowed");
                }
                if (t.nlink() >= 0xFFFFFFFFL) {
                    throw new FsException(FsException.EMLINK, "too many links");
                }
                if (t.nlink() == 0) {
                    throw new FsException(FsException.ENOENT, "the file has been removed");
                }
                try (RgrpLocks rl = fs.alloc.reserveRgrps(newParentIno, 8);
                     FsTransaction tx = FsTransaction.begin(fs.cache, txBlocks() + 2 * tableBlocks(newParentIno),
                             tableBlocks(newParentIno))) {
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
        byte[] name = name(rawName);
        if (isDots(name)) {
            throw new FsException(dir ? FsException.EINVAL : FsException.EISDIR,
                    "cannot remove " + new String(name, StandardCharsets.UTF_8));
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
                    try (Holder del = last ? users.tryDeallocate(addr) : null) {
                        if (last && (del == null || !v.isStuffed() || v.isExhashDir() || v.eattr() != 0)) {
                            removeWithBlocks(parentIno, name, addr, dir);
                            if (del != null) {
                                deallocateUnlinked(addr);
                            } // else in use: UNLINKED until its last user is gone (lastUserGone)
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
                                tx.commit(); // the allocator keeps freed blocks until the log makes this durable (alloc/FreedBlocks)
                            } else {
                                tx.commit();
                            }
                        }
                    }
                }
            }
            return null;
        });
    }

    /**
     * The last link of an inode that is still in use, or that owns blocks: the entry goes and the
     * dinode becomes UNLINKED (nlink 0) in one transaction; the caller then frees it at once or
     * leaves it to its last user (docs/allocation.md, the unlinked protocol; a crash in between
     * leaves an UNLINKED inode that the next mount or fsck.gfs2 frees).
     * Called with the parent's and the victim's glocks held.
     */
    private void removeWithBlocks(long parentIno, byte[] name, long addr, boolean dir) throws IOException {
        try (RgrpLocks rl = fs.alloc.lockRgrpsForFree(List.of(addr));
             FsTransaction tx = FsTransaction.begin(fs.cache, txBlocks(), 0)) {
            fs.alloc.use(tx, rl);
            if (writer(tx, parentIno).remove(parentIno, name) == null) {
                throw new FsException(FsException.ENOENT, "no such entry");
            }
            long nowNs = System.currentTimeMillis() * 1_000_000L;
            ByteBuffer pb = tx.modify(parentIno, GlockName.inode(parentIno));
            Dinode p = Dinode.decode(pb, parentIno);
            (dir ? p.withNlink(p.nlink() - 1) : p).encode(pb);
            putTime(pb, Dinode.OFF_MTIME, Dinode.OFF_MTIME_NSEC, nowNs);
            putTime(pb, Dinode.OFF_CTIME, Dinode.OFF_CTIME_NSEC, nowNs);
            ByteBuffer vb = tx.modify(addr, GlockName.inode(addr));
            Dinode.decode(vb, addr).withNlink(0).encode(vb);
            fs.alloc.markUnlinked(tx, addr);
            tx.commit();
        }
    }

    /** Frees an UNLINKED inode's blocks (several transactions if needed), then its dinode. */
    private void deallocateUnlinked(long addr) throws IOException {
        dealloc.deallocate(addr);
    }

    @Override
    public void rename(long parentIno, byte[] rawName, long newParentIno, byte[] rawNewName, int flags)
            throws FsException {
        byte[] name = name(rawName);
        byte[] newName = name(rawNewName);
        if ((flags & RenameExchange.RENAME_EXCHANGE) != 0) {
            RenameExchange.check(flags, rawName, rawNewName);
            modify("rename", parentIno, () -> {
                exchange.exchange(parentIno, rawName, newParentIno, rawNewName);
                return null;
            });
            return;
        }
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
                    if (y != 0 && (flags & RENAME_NOREPLACE) != 0) {
                        throw new FsException(FsException.EEXIST, "file exists"); // also for x itself, as Linux
                    }
                    Dinode xd = dinode(x);
                    Dinode yd = y == 0 ? null : dinode(y);
                    // the ancestry checks come before the type checks, as in Linux's do_renameat2
                    if (xd.isDirectory() && crossDir && isInside(newParentIno, x)) {
                        throw new FsException(FsException.EINVAL, "cannot move a directory into itself");
                    }
                    if (yd != null && yd.isDirectory() && crossDir && isInside(parentIno, y)) {
                        throw new FsException(FsException.ENOTEMPTY, "the target directory contains the source");
                    }
                    if (y == x) {
                        return null; // two names of one inode: nothing to do (POSIX)
                    }
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
                    }
                    boolean yFreed = renameTx(parentIno, name, newParentIno, newName, x, xd, y, yd);
                    if (yFreed) {
                        try (Holder del = users.tryDeallocate(y)) {
                            if (del != null) {
                                deallocateUnlinked(y);
                            } // else in use: UNLINKED until its last user is gone
                        }
                    }
                }
            }
            return null;
        });
    }

    private static boolean isDots(byte[] n) {
        return (n.length == 1 && n[0] == '.') || (n.length == 2 && n[0] == '.' && n[1] == '.');
    }

    /** Whether {@code dir} is {@code ancestor} or lies below it (walking ".." up to the root). */
    boolean isInside(long dir, long ancestor) throws IOException {
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
    private boolean renameTx(long a, byte[] name, long b, byte[] newName, long x, Dinode xd, long y, Dinode yd)
            throws IOException {
        boolean xDir = xd.isDirectory();
        boolean yLast = yd != null && (yd.isDirectory() || yd.nlink() <= 1);
        try (RgrpLocks rl = fs.alloc.reserveRgrps(y != 0 ? y : b, 8);
             FsTransaction tx = FsTransaction.begin(fs.cache, 2 * txBlocks() + 2 * tableBlocks(b),
                     4 + tableBlocks(b))) {
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
        if (bytes.length == 0) {
            return 0; // as Linux: no change, not even of mtime
        }
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
    public void fallocate(long handle, long offset, long length, int mode) throws FsException {
        long ino = fileOf(handle);
        if (!files.get(handle).writable()) {
            throw new FsException(FsException.EBADF, "handle " + handle + " was opened read-only");
        }
        FileSpace.check(offset, length, mode, maxFileSize());
        modify("fallocate", ino, () -> {
            try (Holder h = fs.glocks.acquire(GlockName.inode(ino), GlockState.EX)) {
                new FileSpace(fs, data).fallocate(ino, offset, length, mode);
            }
            return null;
        });
    }

    @Override
    public long lseek(long handle, long offset, int whence) throws FsException {
        long ino = fileOf(handle);
        return shared("lseek", ino, () -> {
            dinode(ino); // ESTALE once the file is gone
            return org.gfs2j.fs.vfs.DataSeek.seek(fs.reader.file(fs.reader.inode(ino)), offset, whence);
        });
    }

    @Override
    public void fsync(long handle, boolean dataOnly) throws FsException {
        modify("fsync", 0, () -> {
            // Data is written in place before the transaction that maps it commits. A log flush
            // writes its body, flushes the device, then writes and flushes the header, so when
            // commits are pending that first flush already covers the data (one flush pair, not
            // three flushes); with nothing pending only the device needs flushing.
            if (fs.log.lastTicket() > fs.log.durableTicket()) {
                fs.log.fsync();
            } else {
                fs.device.flush();
            }
            return null;
        });
    }

    /** Makes every committed change durable in the journal. */
    public void syncAll() throws FsException {
        fsync(0, false);
    }

    @Override
    public void setxattr(long ino, String name, byte[] value, int flags) throws FsException {
        modify("setxattr", ino, () -> {
            xattrs.setxattr(ino, name, value, flags);
            return null;
        });
    }

    @Override
    public void removexattr(long ino, String name) throws FsException {
        modify("removexattr", ino, () -> {
            xattrs.removexattr(ino, name);
            return null;
        });
    }

    @Override
    public void close() throws IOException {
        // nobody can use an inode after unmount: free those unlinked while in use
        for (long ino : users.closeAll()) {
            lastUserGone(ino);
        }
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

    int txBlocks() {
        // dinode, parent dinode, directory blocks a split or table growth may touch, rgrps, statfs
        return 64 + fs.alloc.logBlocksFor(fs.rgrps.size());
    }

    /**
     * Blocks of a directory's hash table in JD blocks (0 when stuffed or linear): an added entry
     * that doubles the table frees them all and writes twice as many.
     */
    private int tableBlocks(long dirIno) throws IOException {
        Dinode d = dinode(dirIno);
        if (!d.isExhashDir() || d.height() == 0) {
            return 0;
        }
        long jd = ((8L << d.depth()) + fs.geo.jbsize() - 1) / fs.geo.jbsize();
        return (int) Math.min(Integer.MAX_VALUE / 4, jd + jd / fs.geo.inptrs() + d.height() + 2);
    }

    static void putTime(ByteBuffer b, int secOff, int nsecOff, long nanos) {
        b.putLong(secOff, Math.floorDiv(nanos, 1_000_000_000L));
        b.putInt(nsecOff, (int) Math.floorMod(nanos, 1_000_000_000L));
    }

    /** A name as the directory code takes it: 1 to 255 bytes, any but '/' and NUL (Linux names need not be UTF-8). */
    private static byte[] name(byte[] raw) throws FsException {
        if (raw.length == 0) {
            throw new FsException(FsException.ENOENT, "empty name");
        }
        if (raw.length > Dirent.MAX_NAME) {
            throw new FsException(FsException.ENAMETOOLONG, "name longer than " + Dirent.MAX_NAME + " bytes");
        }
        if (!DirectoryWriter.isValidName(raw)) {
            throw new FsException(FsException.EINVAL, "name contains '/' or NUL");
        }
        return raw.clone();
    }

    Dinode dinode(long ino) throws IOException {
        ByteBuffer b = fs.cache.read(ino, GlockName.inode(ino));
        if (org.gfs2j.journal.format.MetaHeader.typeOf(b, 0) != org.gfs2j.journal.format.MetaType.DI) {
            withdraw.checkStale(ino); // corrupt, not stale, while the bitmap says a dinode is there
            throw new FsException(FsException.ESTALE, "inode " + ino + " is no dinode");
        }
        return Dinode.decode(b, ino);
    }

    Dinode directoryDinode(long ino) throws IOException {
        Dinode d = dinode(ino);
        if (!d.isDirectory()) {
            throw new FsException(FsException.ENOTDIR, "not a directory");
        }
        return d;
    }

    /** The directory writer over a transaction: every block it touches is logged under the dir's glock. */
    DirectoryWriter writer(FsTransaction tx, long dirAddr) {
        return DirectoryIo.inTransaction(fs.geo, fs.alloc, tx, dirAddr);
    }

    /** A directory writer for lookups outside a transaction (copies, never writes). */
    DirectoryWriter readOnlyWriter(long dirAddr) {
        return DirectoryIo.readOnly(fs.geo, fs.cache, dirAddr);
    }

    @FunctionalInterface
    private interface IoCall<T> {
        T run() throws IOException;
    }

    @FunctionalInterface
    private interface ReadCall<T> {
        T run() throws FsException;
    }

    /** A read through the read path: corrupt metadata it meets withdraws the mount too, as in the kernel. */
    private <T> T noticed(String op, long ino, ReadCall<T> read) throws FsException {
        try {
            return read.run();
        } catch (FsException e) {
            if (e.errno() == FsException.ESTALE && !op.equals("readdir")) {
                try {
                    withdraw.checkStale(ino);
                } catch (org.gfs2j.journal.format.CorruptMetadataException c) {
                    e = new FsException(op + " of inode " + ino + ": " + c.getMessage(), c);
                }
            }
            if (e.errno() == FsException.EIO) {
                withdraw.onFailure(op, ino, e);
            }
            throw e;
        }
    }

    /**
     * Runs a read under the shared side of the mutation lock: reads run side by side, never while a
     * modification is half done, so a read sees every write that returned before it started (data
     * blocks are written in place before their transaction commits, the tree through the cache).
     */
    private <T> T shared(String op, long ino, IoCall<T> body) throws FsException {
        return guarded(mutationShared.readLock(), op, ino, body);
    }

    /** Runs a modifying operation under the mutation lock (EIO once withdrawn); failures as {@link #guarded}. */
    private <T> T modify(String op, long ino, IoCall<T> body) throws FsException {
        return guarded(mutation, op, ino, () -> {
            withdraw.check(op);
            return body.run();
        });
    }

    /**
     * Runs {@code body} holding {@code lock}: I/O failures become EIO (logged), corrupt metadata
     * withdraws the mount, a full file system is ENOSPC.
     */
    private <T> T guarded(Lock lock, String op, long ino, IoCall<T> body) throws FsException {
        lock.lock();
        try {
            return body.run();
        } catch (FsException e) {
            if (e.errno() == FsException.EIO) {
                withdraw.onFailure(op, ino, e);
            }
            throw e;
        } catch (org.gfs2j.fs.alloc.NoSpaceException e) {
            throw new FsException(FsException.ENOSPC, op + ": " + e.getMessage());
        } catch (IOException e) {
            LOG.error("{} of inode {} failed: {}", op, ino, e.getMessage());
            withdraw.onFailure(op, ino, e);
            throw new FsException(op + " of inode " + ino + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            LOG.error("{} of inode {} failed", op, ino, e);
            withdraw.onFailure(op, ino, e);
            throw new FsException(op + " of inode " + ino + ": " + e, e);
        } finally {
            lock.unlock();
        }
    }
}
