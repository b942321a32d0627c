package org.gfs2j.fuse.gfs2;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.gfs2j.fs.ondisk.PosixAcl;
import org.gfs2j.fs.vfs.DirEntry;
import org.gfs2j.fs.vfs.FsException;
import org.gfs2j.fs.vfs.FsStatistics;
import org.gfs2j.fs.vfs.Gfs2Vfs;
import org.gfs2j.fs.vfs.InodeAttributes;
import org.gfs2j.fs.xattr.XattrOperations;
import org.gfs2j.fuse.fs.Attr;
import org.gfs2j.fuse.fs.ConnectionInfo;
import org.gfs2j.fuse.fs.Context;
import org.gfs2j.fuse.fs.Created;
import org.gfs2j.fuse.fs.DirectoryPlusSink;
import org.gfs2j.fuse.fs.DirectorySink;
import org.gfs2j.fuse.fs.Entry;
import org.gfs2j.fuse.fs.ErrnoException;
import org.gfs2j.fuse.fs.FileLock;
import org.gfs2j.fuse.fs.FileSystem;
import org.gfs2j.fuse.fs.OpenReply;
import org.gfs2j.fuse.fs.SetAttr;
import org.gfs2j.fuse.fs.StatFs;
import org.gfs2j.fuse.lock.LocalLockTable;
import org.gfs2j.fuse.lock.LockTable;
import org.gfs2j.fuse.protocol.Fuse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The FUSE face of a {@link Gfs2Vfs}: node id = the inode's block address, except that the root
 * directory is FUSE node 1 (and node 1 is the root's address towards the file system); the
 * generation is the formal inode number. Permissions (modes and the POSIX ACLs read from disk)
 * are checked by the kernel: mount with default_permissions and FUSE_POSIX_ACL
 * ({@code MountOptions.posixAcl}), which makes the kernel fetch {@code system.posix_acl_*} with
 * GETXATTR and enforce them.
 *
 * <p>Lookup references are counted per node here (the session reports the kernel's FORGETs) and
 * handed back to the file system with {@link Gfs2Vfs#forget}.
 */
public final class Gfs2FuseFileSystem implements FileSystem {
    private static final Logger LOG = LoggerFactory.getLogger(Gfs2FuseFileSystem.class);
    public static final long ROOT_NODE = 1;
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    private static final int O_TRUNC = 01000;
    private static final int O_EXCL = 0200;

    private final Gfs2Vfs vfs;
    private final long rootIno;
    private final Duration timeout;
    /** Entries handed to the kernel per node (what forget() returns to the file system). */
    private final ConcurrentHashMap<Long, AtomicLong> references = new ConcurrentHashMap<>();
    /** Advisory locks: in this process for now; the cluster replaces it with a DLM-backed table. */
    private final LockTable locks;
    /** Byte-range lock owners per open handle (OFD locks end with their open file, without an unlock). */
    private final ConcurrentHashMap<Long, java.util.Set<Long>> lockOwners = new ConcurrentHashMap<>();
    /** Size and times of each file at its last open (read-write mounts: when the page cache may be kept). */
    private final ConcurrentHashMap<Long, String> openStamps = new ConcurrentHashMap<>();

    /**
     * @param cacheTimeout how long the kernel may trust names and attributes; a read-only mount
     *                     nobody else writes can keep them long
     */
    public Gfs2FuseFileSystem(Gfs2Vfs vfs, Duration cacheTimeout) {
        this(vfs, cacheTimeout, new LocalLockTable());
    }

    public Gfs2FuseFileSystem(Gfs2Vfs vfs, Duration cacheTimeout, LockTable locks) {
        this.vfs = vfs;
        this.locks = locks;
        this.rootIno = vfs.rootIno();
        this.timeout = cacheTimeout;
    }

    public Gfs2FuseFileSystem(Gfs2Vfs vfs) {
        this(vfs, vfs.isWritable() ? Duration.ofSeconds(1) : Duration.ofMinutes(10));
    }

    /** FUSE node id of inode {@code ino}. */
    public long nodeOf(long ino) {
        return ino == rootIno ? ROOT_NODE : ino;
    }

    /** Inode number of FUSE node {@code node}. */
    public long inoOf(long node) {
        return node == ROOT_NODE ? rootIno : node;
    }

    /** Nodes the kernel currently holds lookup references to (for tests and diagnostics). */
    public int referencedNodes() {
        return references.size();
    }

    @Override
    public void init(ConnectionInfo connection) {
        if (!connection.has(Fuse.Init.POSIX_ACL)) {
            LOG.warn("the kernel did not accept FUSE_POSIX_ACL: ACLs on disk are not enforced");
        }
    }

    @Override
    public void destroy() {
        references.clear();
    }

    private static byte[] bytes(String name) {
        return name.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static ErrnoException errno(FsException e) {
        return new ErrnoException(e.errno(), e.getMessage());
    }

    private Attr attr(InodeAttributes a) {
        return new Attr(a.ino(), a.size(), a.blocks(), a.atimeSec(), a.atimeNsec(), a.mtimeSec(), a.mtimeNsec(),
                a.ctimeSec(), a.ctimeNsec(), a.mode(), (int) Math.min(a.nlink(), 0xffffffffL), (int) a.uid(),
                (int) a.gid(), a.rdev(), a.blksize());
    }

    private Entry entry(InodeAttributes a) {
        return new Entry(nodeOf(a.ino()), a.generation(), timeout, timeout, attr(a));
    }

    /** A reference the kernel will hold once the reply reaches it (the session undoes undelivered ones). */
    private Entry referenced(InodeAttributes a) {
        Entry e = entry(a);
        if (e.nodeid() != ROOT_NODE) {
            references.computeIfAbsent(e.nodeid(), k -> new AtomicLong()).incrementAndGet();
        }
        return e;
    }

    @Override
    public Entry lookup(Context ctx, long parent, String name) throws ErrnoException {
        try {
            return referenced(vfs.lookup(inoOf(parent), bytes(name)));
        } catch (FsException e) {
            if (e.errno() == FsException.ENOENT) {
                return Entry.negative(timeout);
            }
            throw errno(e);
        }
    }

    @Override
    public void forget(long nodeid) {
        AtomicLong n = references.remove(nodeid);
        openStamps.remove(nodeid);
        vfs.forget(inoOf(nodeid), n == null ? 0 : n.get());
    }

    @Override
    public Attr getattr(Context ctx, long nodeid, long fh) throws ErrnoException {
        try {
            return attr(vfs.getattr(inoOf(nodeid)));
        } catch (FsException e) {
            throw errno(e);
        }
    }

    @Override
    public Duration attrTimeout(long nodeid) {
        return timeout;
    }

    @Override
    public byte[] readlink(Context ctx, long nodeid) throws ErrnoException {
        try {
            return vfs.readlink(inoOf(nodeid));
        } catch (FsException e) {
            throw errno(e);
        }
    }

    @Override
    public OpenReply open(Context ctx, long nodeid, int flags, int openFlags) throws ErrnoException {
        try {
            long fh = vfs.open(inoOf(nodeid), flags);
            return new OpenReply(fh, keepCache(nodeid) ? Fuse.OpenOut.KEEP_CACHE : 0);
        } catch (FsException e) {
            throw errno(e);
        }
    }

    /**
     * Whether the kernel's page cache of the node may outlive this open. Read-only: nobody changes
     * the file system. Read-write (one node, every write through this daemon): only when the file
     * is unchanged since its previous open, judged by size, mtime and ctime.
     */
    private boolean keepCache(long nodeid) throws FsException {
        if (!vfs.isWritable()) {
            return true;
        }
        InodeAttributes a = vfs.getattr(inoOf(nodeid));
        String stamp = a.size() + ":" + a.mtimeSec() + "." + a.mtimeNsec() + ":" + a.ctimeSec() + "." + a.ctimeNsec();
        return stamp.equals(openStamps.put(nodeid, stamp));
    }

    @Override
    public int read(Context ctx, long nodeid, long fh, long offset, int size, ByteBuffer dst) throws ErrnoException {
        try {
            return vfs.read(fh, offset, size, dst);
        } catch (FsException e) {
            throw errno(e);
        }
    }

    @Override
    public void flush(Context ctx, long nodeid, long fh, long lockOwner) {
        locks.releasePosix(nodeid, lockOwner);
    }

    @Override
    public void release(Context ctx, long nodeid, long fh, int flags, int releaseFlags, long lockOwner) {
        releaseLocks(nodeid, fh, releaseFlags, lockOwner);
        vfs.release(fh);
    }

    private void releaseLocks(long nodeid, long fh, int releaseFlags, long lockOwner) {
        if ((releaseFlags & Fuse.RELEASE_FLOCK_UNLOCK) != 0) {
            locks.releaseFlock(nodeid, lockOwner);
        }
        java.util.Set<Long> owners = lockOwners.remove(fh);
        if (owners != null) {
            for (long owner : owners) {
                locks.releasePosix(nodeid, owner);
            }
        }
    }

    @Override
    public FileLock getlk(Context ctx, long nodeid, long fh, long owner, FileLock lock) {
        return locks.test(nodeid, owner, lock);
    }

    @Override
    public void setlk(Context ctx, long nodeid, long fh, long owner, FileLock lock, boolean wait)
            throws ErrnoException {
        if (lock.type() != Fuse.F_UNLCK) {
            lockOwners.computeIfAbsent(fh, k -> ConcurrentHashMap.newKeySet()).add(owner);
        }
        locks.lock(ctx, nodeid, owner, lock, wait);
    }

    @Override
    public void flock(Context ctx, long nodeid, long fh, long owner, int type, boolean wait) throws ErrnoException {
        locks.flock(ctx, nodeid, owner, type, wait);
    }

    @Override
    public void fsync(Context ctx, long nodeid, long fh, boolean datasync) throws ErrnoException {
        try {
            vfs.fsync(fh, datasync);
        } catch (FsException e) {
            throw errno(e);
        }
    }

    @Override
    public OpenReply opendir(Context ctx, long nodeid, int flags) throws ErrnoException {
        try {
            return new OpenReply(vfs.opendir(inoOf(nodeid)), vfs.isWritable() ? 0 : Fuse.OpenOut.CACHE_DIR);
        } catch (FsException e) {
            throw errno(e);
        }
    }

    @Override
    public void readdir(Context ctx, long nodeid, long fh, long offset, DirectorySink sink) throws ErrnoException {
        try {
            vfs.readdir(fh, offset, false, e -> sink.add(new String(e.name(), StandardCharsets.ISO_8859_1),
                    e.ino(), e.type(), e.nextCookie()));
        } catch (FsException e) {
            throw errno(e);
        }
    }

    @Override
    public void readdirplus(Context ctx, long nodeid, long fh, long offset, DirectoryPlusSink sink)
            throws ErrnoException {
        try {
            FsException[] failed = new FsException[1];
            vfs.readdir(fh, offset, true, e -> {
                String name = new String(e.name(), StandardCharsets.ISO_8859_1);
                if (e.isDotOrDotDot()) {
                    // The kernel ignores the entry of "." and ".." (no reference): any valid attributes do.
                    try {
                        return sink.add(name, entry(vfs.getattr(e.ino())), e.nextCookie());
                    } catch (FsException ex) {
                        failed[0] = ex;
                        return false;
                    }
                }
                if (e.attributes() == null) {
                    // Unreadable inode: node id 0 makes the kernel list the name without caching
                    // anything for it (a later LOOKUP reports the error); attr carries ino and type.
                    Attr bare = new Attr(e.ino(), 0, 0, 0, 0, 0, 0, 0, 0, e.type(), 0, 0, 0, 0, 0);
                    return sink.add(name, new Entry(0, 0, Duration.ZERO, Duration.ZERO, bare), e.nextCookie());
                }
                Entry en = entry(e.attributes());
                if (!sink.add(name, en, e.nextCookie())) {
                    return false;
                }
                if (en.nodeid() != ROOT_NODE) {
                    references.computeIfAbsent(en.nodeid(), k -> new AtomicLong()).incrementAndGet();
                }
                return true;
            });
            if (failed[0] != null) {
                throw failed[0];
            }
        } catch (FsException e) {
            throw errno(e);
        }
    }

    @Override
    public void releasedir(Context ctx, long nodeid, long fh, int flags) {
        releaseLocks(nodeid, fh, 0, 0);
        vfs.releasedir(fh);
    }

    @Override
    public void fsyncdir(Context ctx, long nodeid, long fh, boolean datasync) throws ErrnoException {
        if (!vfs.isWritable()) {
            return; // nothing to make durable
        }
        try {
            // Directory changes are committed transactions: making the journal durable covers them.
            vfs.fsync(0, datasync);
        } catch (FsException e) {
            throw errno(e);
        }
    }

    @Override
    public byte[] getxattr(Context ctx, long nodeid, String name) throws ErrnoException {
        try {
            return vfs.getxattr(inoOf(nodeid), name);
        } catch (FsException e) {
            throw errno(e);
        }
    }

    @Override
    public byte[] listxattr(Context ctx, long nodeid) throws ErrnoException {
        try {
            StringBuilder sb = new StringBuilder();
            for (String n : vfs.listxattr(inoOf(nodeid))) {
                sb.append(n).append('\0');
            }
            return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        } catch (FsException e) {
            throw errno(e);
        }
    }

    @Override
    public StatFs statfs(Context ctx, long nodeid) throws ErrnoException {
        try {
            FsStatistics s = vfs.statfs();
            return new StatFs(s.blocks(), s.bfree(), s.bavail(), s.files(), s.ffree(), s.bsize(), s.nameMax(), s.bsize());
        } catch (FsException e) {
            throw errno(e);
        }
    }

    // ---- modifying operations: passed on (a read-only file system answers EROFS) ----

    @Override
    public Attr setattr(Context ctx, long nodeid, SetAttr a) throws ErrnoException {
        try {
            Integer mode = a.has(Fuse.SetattrValid.MODE) ? a.mode() : null;
            Long uid = a.has(Fuse.SetattrValid.UID) ? Integer.toUnsignedLong(a.uid()) : null;
            Long gid = a.has(Fuse.SetattrValid.GID) ? Integer.toUnsignedLong(a.gid()) : null;
            Long size = a.has(Fuse.SetattrValid.SIZE) ? a.size() : null;
            Long atime = a.has(Fuse.SetattrValid.ATIME) ? a.atimeSec() * 1_000_000_000L + a.atimeNsec() : null;
            Long mtime = a.has(Fuse.SetattrValid.MTIME) ? a.mtimeSec() * 1_000_000_000L + a.mtimeNsec() : null;
            return attr(vfs.setattr(inoOf(nodeid), mode, uid, gid, size, atime, mtime));
        } catch (FsException e) {
            throw errno(e);
        }
    }

    @Override
    public Entry mknod(Context ctx, long parent, String name, int mode, int rdev, int umask) throws ErrnoException {
        try {
            return referenced(vfs.mknod(inoOf(parent), bytes(name), createMode(parent, mode, umask), rdev, ctx.uid(),
                    ctx.gid()));
        } catch (FsException e) {
            throw errno(e);
        }
    }

    /**
     * The mode a new inode is created with: the kernel sends it unmasked (DONT_MASK) with the
     * caller's umask, which applies only when the parent has no default ACL; with one, the file
     * system masks the mode with the ACL instead (posix_acl_create). The kernel holds the parent's
     * inode lock during the create, so the default ACL cannot change in between.
     */
    private int createMode(long parent, int mode, int umask) throws FsException {
        if ((umask & 0777) == 0) {
            return mode;
        }
        try {
            vfs.getxattr(inoOf(parent), PosixAcl.DEFAULT_XATTR);
            return mode;
        } catch (FsException e) {
            if (e.errno() == FsException.ENODATA || e.errno() == FsException.EOPNOTSUPP) {
                return mode & ~(umask & 0777);
            }
            throw e;
        }
    }

    @Override
    public Entry mkdir(Context ctx, long parent, String name, int mode, int umask) throws ErrnoException {
        try {
            return referenced(vfs.mkdir(inoOf(parent), bytes(name), createMode(parent, mode, umask), ctx.uid(), ctx.gid()));
        } catch (FsException e) {
            throw errno(e);
        }
    }

    @Override
    public Entry symlink(Context ctx, long parent, String name, byte[] target) throws ErrnoException {
        try {
            return referenced(vfs.symlink(inoOf(parent), bytes(name), target, ctx.uid(), ctx.gid()));
        } catch (FsException e) {
            throw errno(e);
        }
    }

    @Override
    public Entry link(Context ctx, long nodeid, long newParent, String newName) throws ErrnoException {
        try {
            return referenced(vfs.link(inoOf(nodeid), inoOf(newParent), bytes(newName)));
        } catch (FsException e) {
            throw errno(e);
        }
    }

    @Override
    public void unlink(Context ctx, long parent, String name) throws ErrnoException {
        try {
            vfs.unlink(inoOf(parent), bytes(name));
        } catch (FsException e) {
            throw errno(e);
        }
    }

    @Override
    public void rmdir(Context ctx, long parent, String name) throws ErrnoException {
        try {
            vfs.rmdir(inoOf(parent), bytes(name));
        } catch (FsException e) {
            throw errno(e);
        }
    }

    @Override
    public void rename(Context ctx, long parent, String name, long newParent, String newName, int flags)
            throws ErrnoException {
        try {
            vfs.rename(inoOf(parent), bytes(name), inoOf(newParent), bytes(newName), flags);
        } catch (FsException e) {
            throw errno(e);
        }
    }

    @Override
    public int write(Context ctx, long nodeid, long fh, long offset, ByteBuffer data, int writeFlags)
            throws ErrnoException {
        try {
            return vfs.write(fh, offset, data);
        } catch (FsException e) {
            throw errno(e);
        }
    }

    @Override
    public void fallocate(Context ctx, long nodeid, long fh, long offset, long length, int mode)
            throws ErrnoException {
        try {
            vfs.fallocate(fh, offset, length, mode);
        } catch (FsException e) {
            throw errno(e);
        }
        openStamps.remove(nodeid); // the size or the contents changed under the page cache
    }

    @Override
    public long lseek(Context ctx, long nodeid, long fh, long offset, int whence) throws ErrnoException {
        try {
            return vfs.lseek(fh, offset, whence);
        } catch (FsException e) {
            throw errno(e);
        }
    }

    @Override
    public Created create(Context ctx, long parent, String name, int mode, int umask, int flags) throws ErrnoException {
        if (!vfs.isWritable()) {
            throw new ErrnoException(FsException.EROFS, "the file system is mounted read-only");
        }
        InodeAttributes a;
        int openFlags = flags;
        try {
            a = vfs.mknod(inoOf(parent), bytes(name), S_IFREG | (createMode(parent, mode, umask) & 07777), 0, ctx.uid(),
                    ctx.gid());
            openFlags &= ~O_TRUNC; // new and empty
        } catch (FsException e) {
            if (e.errno() != FsException.EEXIST || (flags & O_EXCL) != 0) {
                throw errno(e);
            }
            // Created by someone else since the kernel's lookup: open the existing file.
            try {
                a = vfs.lookup(inoOf(parent), bytes(name));
            } catch (FsException e2) {
                throw errno(e2);
            }
            if ((a.mode() & S_IFMT) == S_IFDIR) {
                vfs.forget(a.ino(), 1);
                throw new ErrnoException(FsException.EISDIR, name + " is a directory");
            }
        }
        long fh;
        try {
            fh = vfs.open(a.ino(), openFlags);
            if ((openFlags & O_TRUNC) != 0) {
                a = vfs.getattr(a.ino());
            }
        } catch (FsException e) {
            vfs.forget(a.ino(), 1);
            throw errno(e);
        }
        openStamps.remove(nodeOf(a.ino()));
        return new Created(referenced(a), new OpenReply(fh, 0));
    }

    @Override
    public void setxattr(Context ctx, long nodeid, String name, byte[] value, int flags, int setxattrFlags)
            throws ErrnoException {
        try {
            int kill = (setxattrFlags & Fuse.SETXATTR_ACL_KILL_SGID) != 0 ? XattrOperations.ACL_KILL_SGID : 0;
            vfs.setxattr(inoOf(nodeid), name, value, flags | kill);
        } catch (FsException e) {
            throw errno(e);
        }
    }

    @Override
    public void removexattr(Context ctx, long nodeid, String name) throws ErrnoException {
        try {
            vfs.removexattr(inoOf(nodeid), name);
        } catch (FsException e) {
            throw errno(e);
        }
    }
}
