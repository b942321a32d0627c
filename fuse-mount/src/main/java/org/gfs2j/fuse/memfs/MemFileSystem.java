package org.gfs2j.fuse.memfs;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.gfs2j.fs.ondisk.PosixAcl;
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
import org.gfs2j.fuse.protocol.Errno;
import org.gfs2j.fuse.protocol.Fuse;
import org.gfs2j.fuse.protocol.Fuse.SetattrValid;
import org.gfs2j.journal.format.CorruptMetadataException;

/**
 * A POSIX file system in memory: directories with stable readdir cookies, sparse regular files,
 * symlinks, hard links, device nodes/FIFOs/sockets, rename with NOREPLACE/EXCHANGE, xattrs, POSIX
 * ACLs kept in sync with the mode, setgid directories, suid/sgid clearing, advisory locks, statfs
 * with a fixed capacity. Permission checks are left to the kernel (default_permissions).
 * Node ids are never reused, so generation is always 0. One read-write lock guards everything:
 * lookups, attribute and data reads share it, every change is exclusive. This is a reference and
 * test peer, not a fast path.
 */
public final class MemFileSystem implements FileSystem {
    private static final int BLKSIZE = 4096;
    private static final int NAME_MAX = 255;

    private final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
    /** Taken for every change. */
    private final Lock lock = rw.writeLock();
    /** Taken by operations that only look (they may still touch atime and the referenced flag). */
    private final Lock shared = rw.readLock();
    private final SparseData.Usage usage = new SparseData.Usage();
    private final Map<Long, MemNode> nodes = new HashMap<>();
    private final Map<Long, Handle> handles = new HashMap<>();
    private final LockTable locks;
    private final Clock clock;
    private final long capacityBytes;
    private final long maxInodes;
    private final Duration entryTimeout;
    private final Duration attrTimeout;
    private final boolean keepCache;
    private long nextNodeId = Fuse.ROOT_ID + 1;
    private long nextFh = 1;
    private int largestWrite;
    private volatile ConnectionInfo connection;

    /** An open file; {@code lockOwners} are the owners that took byte-range locks through it. */
    private record Handle(long nodeid, int flags, java.util.Set<Long> lockOwners) {
        Handle(long nodeid, int flags) {
            this(nodeid, flags, java.util.concurrent.ConcurrentHashMap.newKeySet());
        }
    }

    /** A 1 GiB file system with 1 s caching timeouts, KEEP_CACHE on open, a local lock table. */
    public MemFileSystem() {
        this(new Options(1L << 30, 1 << 20, Duration.ofSeconds(1), Duration.ofSeconds(1), true,
                Clock.systemUTC(), new LocalLockTable()));
    }

    /**
     * @param capacityBytes size reported by statfs; writes beyond it fail ENOSPC
     * @param keepCache     answer OPEN with FOPEN_KEEP_CACHE (valid while nothing changes the data
     *                      behind the kernel's back without a notification)
     */
    public record Options(long capacityBytes, long maxInodes, Duration entryTimeout, Duration attrTimeout,
                          boolean keepCache, Clock clock, LockTable locks) {
    }

    public MemFileSystem(Options o) {
        this.capacityBytes = o.capacityBytes();
        this.maxInodes = o.maxInodes();
        this.entryTimeout = o.entryTimeout();
        this.attrTimeout = o.attrTimeout();
        this.keepCache = o.keepCache();
        this.clock = o.clock();
        this.locks = o.locks();
        MemNode root = new MemNode(Fuse.ROOT_ID, Fuse.S_IFDIR | 0755, now(), usage);
        root.nlink = 2;
        root.parent = Fuse.ROOT_ID;
        root.referenced = true;
        nodes.put(root.id, root);
    }

    private long now() {
        Instant i = clock.instant();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    @Override
    public void init(ConnectionInfo c) {
        this.connection = c;
    }

    // ---------------------------------------------------------------- helpers

    private MemNode node(long id) throws ErrnoException {
        MemNode n = nodes.get(id);
        if (n == null) {
            throw new ErrnoException(Errno.ENOENT, "node " + id);
        }
        return n;
    }

    private MemNode dir(long id) throws ErrnoException {
        MemNode n = node(id);
        if (!n.isDir()) {
            throw new ErrnoException(Errno.ENOTDIR);
        }
        return n;
    }

    private static void checkName(String name) throws ErrnoException {
        if (name.length() > NAME_MAX) {
            throw new ErrnoException(Errno.ENAMETOOLONG);
        }
        if (name.equals(".") || name.equals("..")) {
            throw new ErrnoException(Errno.EEXIST);
        }
    }

    private Attr attr(MemNode n) {
        long blocks = n.data != null ? n.data.allocatedBytes() / 512 : 0;
        return new Attr(n.id, n.size(), blocks,
                n.atime / 1_000_000_000L, (int) (n.atime % 1_000_000_000L),
                n.mtime / 1_000_000_000L, (int) (n.mtime % 1_000_000_000L),
                n.ctime / 1_000_000_000L, (int) (n.ctime % 1_000_000_000L),
                n.mode, n.nlink, n.uid, n.gid, n.rdev, BLKSIZE);
    }

    private Entry entry(MemNode n) {
        n.referenced = true;
        return new Entry(n.id, 0, entryTimeout, attrTimeout, attr(n));
    }

    /** Frees a node nobody can reach any more: no name, no open handle, no kernel reference. */
    private void maybeFree(MemNode n) {
        if (n.id != Fuse.ROOT_ID && n.nlink == 0 && n.openHandles == 0 && !n.referenced) {
            nodes.remove(n.id);
            if (n.data != null) {
                n.data.free();
            }
        }
    }

    private long usedBytes() {
        return usage.chunks * SparseData.CHUNK;
    }

    private void checkSpace(long moreChunks) throws ErrnoException {
        if (moreChunks > 0 && usedBytes() + moreChunks * SparseData.CHUNK > capacityBytes) {
            throw new ErrnoException(Errno.ENOSPC);
        }
    }

    /** Mode and ACL of a new inode in {@code parent}: default ACL inheritance or the umask. */
    private MemNode newNode(Context ctx, MemNode parent, int mode, int umask) throws ErrnoException {
        if (nodes.size() >= maxInodes) {
            throw new ErrnoException(Errno.ENOSPC);
        }
        byte[] def = parent.xattrs.get(PosixAcl.DEFAULT_XATTR);
        PosixAcl access = null;
        boolean isDir = (mode & Fuse.S_IFMT) == Fuse.S_IFDIR;
        if (def != null && (mode & Fuse.S_IFMT) != Fuse.S_IFLNK) {
            PosixAcl.Inherited inh = decodeAcl(def).inheritWithMode(mode);
            mode = inh.mode();
            access = inh.access();
        } else if ((mode & Fuse.S_IFMT) != Fuse.S_IFLNK) {
            mode &= ~(umask & 0777);
        }
        int gid = ctx.gid();
        if ((parent.mode & Fuse.S_ISGID) != 0) {
            gid = parent.gid;
            if (isDir) {
                mode |= Fuse.S_ISGID;
            }
        }
        MemNode n = new MemNode(nextNodeId++, mode, now(), usage);
        n.uid = ctx.uid();
        n.gid = gid;
        if (access != null) {
            n.xattrs.put(PosixAcl.ACCESS_XATTR, access.encode());
        }
        if (isDir && def != null) {
            n.xattrs.put(PosixAcl.DEFAULT_XATTR, def.clone());
        }
        nodes.put(n.id, n);
        return n;
    }

    private void link(MemNode parent, String name, MemNode child) {
        parent.addEntry(name, child.id);
        child.nlink++;
        if (child.isDir()) {
            child.parent = parent.id;
            child.nlink++; // its "."
            parent.nlink++; // its ".."
        }
        parent.mtime = parent.ctime = now();
    }

    private static void killSuidGid(MemNode n) {
        n.mode &= ~Fuse.S_ISUID;
        if ((n.mode & 0010) != 0) {
            n.mode &= ~Fuse.S_ISGID;
        }
    }

    // ---------------------------------------------------------------- names

    @Override
    public Entry lookup(Context ctx, long parent, String name) throws ErrnoException {
        shared.lock();
        try {
            MemNode p = dir(parent);
            if (name.equals(".")) {
                return entry(p);
            }
            if (name.equals("..")) {
                return entry(node(p.parent));
            }
            if (name.length() > NAME_MAX) {
                throw new ErrnoException(Errno.ENAMETOOLONG);
            }
            MemNode.DirEntry e = p.byName.get(name);
            if (e == null) {
                throw new ErrnoException(Errno.ENOENT);
            }
            return entry(node(e.nodeid()));
        } finally {
            shared.unlock();
        }
    }

    @Override
    public void forget(long nodeid) {
        lock.lock();
        try {
            MemNode n = nodes.get(nodeid);
            if (n != null && n.id != Fuse.ROOT_ID) {
                n.referenced = false;
                maybeFree(n);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void destroy() {
        lock.lock();
        try {
            for (MemNode n : nodes.values().toArray(new MemNode[0])) {
                if (n.id != Fuse.ROOT_ID) {
                    n.referenced = false;
                }
                n.openHandles = 0;
                maybeFree(n);
            }
            handles.clear();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Duration attrTimeout(long nodeid) {
        return attrTimeout;
    }

    @Override
    public Attr getattr(Context ctx, long nodeid, long fh) throws ErrnoException {
        shared.lock();
        try {
            return attr(node(nodeid));
        } finally {
            shared.unlock();
        }
    }

    @Override
    public Attr setattr(Context ctx, long nodeid, SetAttr s) throws ErrnoException {
        lock.lock();
        try {
            MemNode n = node(nodeid);
            long t = now();
            if (s.has(SetattrValid.MODE)) {
                n.mode = (n.mode & Fuse.S_IFMT) | (s.mode() & 07777);
                byte[] acl = n.xattrs.get(PosixAcl.ACCESS_XATTR);
                if (acl != null) {
                    n.xattrs.put(PosixAcl.ACCESS_XATTR, decodeAcl(acl).chmod(n.mode).encode());
                }
            }
            if (s.has(SetattrValid.UID)) {
                n.uid = s.uid();
            }
            if (s.has(SetattrValid.GID)) {
                n.gid = s.gid();
            }
            if (s.has(SetattrValid.SIZE)) {
                if (n.isDir()) {
                    throw new ErrnoException(Errno.EISDIR);
                }
                if (!n.isRegular()) {
                    throw new ErrnoException(Errno.EINVAL);
                }
                if (s.size() > n.data.size()) {
                    checkSpace(0);
                }
                n.data.truncate(s.size());
                n.mtime = t;
            }
            if (s.has(SetattrValid.KILL_SUIDGID) && !n.isDir()) {
                killSuidGid(n);
            }
            if (s.has(SetattrValid.ATIME)) {
                n.atime = s.has(SetattrValid.ATIME_NOW) ? t : s.atimeSec() * 1_000_000_000L + s.atimeNsec();
            }
            if (s.has(SetattrValid.MTIME)) {
                n.mtime = s.has(SetattrValid.MTIME_NOW) ? t : s.mtimeSec() * 1_000_000_000L + s.mtimeNsec();
            }
            n.ctime = s.has(SetattrValid.CTIME) ? s.ctimeSec() * 1_000_000_000L + s.ctimeNsec() : t;
            return attr(n);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public byte[] readlink(Context ctx, long nodeid) throws ErrnoException {
        shared.lock();
        try {
            MemNode n = node(nodeid);
            if (n.target == null) {
                throw new ErrnoException(Errno.EINVAL);
            }
            return n.target.clone();
        } finally {
            shared.unlock();
        }
    }

    private MemNode create(Context ctx, long parent, String name, int mode, int umask) throws ErrnoException {
        MemNode p = dir(parent);
        checkName(name);
        if (p.nlink == 0) {
            throw new ErrnoException(Errno.ENOENT, "directory was removed");
        }
        if (p.byName.containsKey(name)) {
            throw new ErrnoException(Errno.EEXIST);
        }
        MemNode n = newNode(ctx, p, mode, umask);
        link(p, name, n);
        return n;
    }

    @Override
    public Entry symlink(Context ctx, long parent, String name, byte[] target) throws ErrnoException {
        if (target.length >= 4096) {
            throw new ErrnoException(Errno.ENAMETOOLONG);
        }
        lock.lock();
        try {
            MemNode n = create(ctx, parent, name, Fuse.S_IFLNK | 0777, 0);
            n.target = target.clone();
            return entry(n);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Entry mknod(Context ctx, long parent, String name, int mode, int rdev, int umask) throws ErrnoException {
        int type = mode & Fuse.S_IFMT;
        if (type == 0) {
            mode |= Fuse.S_IFREG;
            type = Fuse.S_IFREG;
        }
        if (type != Fuse.S_IFREG && type != Fuse.S_IFIFO && type != Fuse.S_IFSOCK && type != Fuse.S_IFCHR
                && type != Fuse.S_IFBLK) {
            throw new ErrnoException(Errno.EINVAL);
        }
        lock.lock();
        try {
            MemNode n = create(ctx, parent, name, mode, umask);
            if (type == Fuse.S_IFCHR || type == Fuse.S_IFBLK) {
                n.rdev = rdev;
            }
            return entry(n);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Entry mkdir(Context ctx, long parent, String name, int mode, int umask) throws ErrnoException {
        lock.lock();
        try {
            return entry(create(ctx, parent, name, Fuse.S_IFDIR | (mode & 07777), umask));
        } finally {
            lock.unlock();
        }
    }

    private MemNode removeName(MemNode p, String name) {
        MemNode.DirEntry e = p.removeEntry(name);
        MemNode child = nodes.get(e.nodeid());
        long t = now();
        child.nlink--;
        if (child.isDir()) {
            child.nlink = 0;
            p.nlink--;
        }
        child.ctime = t;
        p.mtime = p.ctime = t;
        return child;
    }

    @Override
    public void unlink(Context ctx, long parent, String name) throws ErrnoException {
        lock.lock();
        try {
            MemNode p = dir(parent);
            MemNode.DirEntry e = p.byName.get(name);
            if (e == null) {
                throw new ErrnoException(Errno.ENOENT);
            }
            if (node(e.nodeid()).isDir()) {
                throw new ErrnoException(Errno.EISDIR);
            }
            maybeFree(removeName(p, name));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void rmdir(Context ctx, long parent, String name) throws ErrnoException {
        lock.lock();
        try {
            MemNode p = dir(parent);
            if (name.equals(".")) {
                throw new ErrnoException(Errno.EINVAL);
            }
            if (name.equals("..")) {
                throw new ErrnoException(Errno.ENOTEMPTY);
            }
            MemNode.DirEntry e = p.byName.get(name);
            if (e == null) {
                throw new ErrnoException(Errno.ENOENT);
            }
            MemNode d = node(e.nodeid());
            if (!d.isDir()) {
                throw new ErrnoException(Errno.ENOTDIR);
            }
            if (!d.byName.isEmpty()) {
                throw new ErrnoException(Errno.ENOTEMPTY);
            }
            maybeFree(removeName(p, name));
        } finally {
            lock.unlock();
        }
    }

    /** True if {@code maybeDescendant} is {@code ancestor} or lies below it. */
    private boolean isWithin(MemNode maybeDescendant, MemNode ancestor) {
        MemNode cur = maybeDescendant;
        while (true) {
            if (cur.id == ancestor.id) {
                return true;
            }
            if (cur.id == Fuse.ROOT_ID) {
                return false;
            }
            cur = nodes.get(cur.parent);
            if (cur == null) {
                return false;
            }
        }
    }

    @Override
    public void rename(Context ctx, long parent, String name, long newParent, String newName, int flags)
            throws ErrnoException {
        if ((flags & ~(Fuse.RENAME_NOREPLACE | Fuse.RENAME_EXCHANGE)) != 0
                || flags == (Fuse.RENAME_NOREPLACE | Fuse.RENAME_EXCHANGE)) {
            throw new ErrnoException(Errno.EINVAL, "rename flags " + flags);
        }
        lock.lock();
        try {
            MemNode from = dir(parent);
            MemNode to = dir(newParent);
            if (name.equals(".") || name.equals("..") || newName.equals(".") || newName.equals("..")) {
                throw new ErrnoException(Errno.EBUSY);
            }
            if (newName.length() > NAME_MAX) {
                throw new ErrnoException(Errno.ENAMETOOLONG);
            }
            MemNode.DirEntry se = from.byName.get(name);
            if (se == null) {
                throw new ErrnoException(Errno.ENOENT);
            }
            MemNode src = node(se.nodeid());
            MemNode.DirEntry de = to.byName.get(newName);
            MemNode dst = de == null ? null : node(de.nodeid());
            long t = now();
            if ((flags & Fuse.RENAME_EXCHANGE) != 0) {
                if (dst == null) {
                    throw new ErrnoException(Errno.ENOENT);
                }
                if (src == dst) {
                    return;
                }
                if ((src.isDir() && isWithin(to, src)) || (dst.isDir() && isWithin(from, dst))) {
                    throw new ErrnoException(Errno.EINVAL);
                }
                from.retarget(name, dst.id);
                to.retarget(newName, src.id);
                if (from != to) {
                    if (src.isDir()) {
                        src.parent = to.id;
                        from.nlink--;
                        to.nlink++;
                    }
                    if (dst.isDir()) {
                        dst.parent = from.id;
                        to.nlink--;
                        from.nlink++;
                    }
                }
                src.ctime = dst.ctime = t;
                from.mtime = from.ctime = to.mtime = to.ctime = t;
                return;
            }
            if (dst != null) {
                if ((flags & Fuse.RENAME_NOREPLACE) != 0) {
                    throw new ErrnoException(Errno.EEXIST);
                }
                if (src == dst) {
                    return; // two names of one inode: POSIX says do nothing
                }
                if (src.isDir()) {
                    if (!dst.isDir()) {
                        throw new ErrnoException(Errno.ENOTDIR);
                    }
                    if (!dst.byName.isEmpty()) {
                        throw new ErrnoException(Errno.ENOTEMPTY);
                    }
                } else if (dst.isDir()) {
                    throw new ErrnoException(Errno.EISDIR);
                }
            }
            if (src.isDir() && isWithin(to, src)) {
                throw new ErrnoException(Errno.EINVAL, "cannot move a directory into itself");
            }
            if (dst != null) {
                maybeFree(removeName(to, newName));
            }
            from.removeEntry(name);
            to.addEntry(newName, src.id);
            if (src.isDir() && from != to) {
                src.parent = to.id;
                from.nlink--;
                to.nlink++;
            }
            src.ctime = t;
            from.mtime = from.ctime = to.mtime = to.ctime = t;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Entry link(Context ctx, long nodeid, long newParent, String newName) throws ErrnoException {
        lock.lock();
        try {
            MemNode n = node(nodeid);
            MemNode p = dir(newParent);
            checkName(newName);
            if (n.isDir()) {
                throw new ErrnoException(Errno.EPERM);
            }
            if (n.nlink == 0) {
                throw new ErrnoException(Errno.ENOENT);
            }
            if (p.byName.containsKey(newName)) {
                throw new ErrnoException(Errno.EEXIST);
            }
            link(p, newName, n);
            n.ctime = now();
            return entry(n);
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- files

    private OpenReply openHandle(MemNode n, int flags) {
        long fh = nextFh++;
        handles.put(fh, new Handle(n.id, flags));
        n.openHandles++;
        return new OpenReply(fh, keepCache ? Fuse.OpenOut.KEEP_CACHE : 0);
    }

    private void truncateOnOpen(MemNode n, int flags, int openFlags) {
        if ((flags & Fuse.O_TRUNC) != 0 && n.isRegular() && (flags & Fuse.O_ACCMODE) != Fuse.O_RDONLY) {
            n.data.truncate(0);
            n.mtime = n.ctime = now();
            if ((openFlags & Fuse.OPEN_KILL_SUIDGID) != 0) {
                killSuidGid(n);
            }
        }
    }

    @Override
    public OpenReply open(Context ctx, long nodeid, int flags, int openFlags) throws ErrnoException {
        lock.lock();
        try {
            MemNode n = node(nodeid);
            if (n.isDir() && (flags & Fuse.O_ACCMODE) != Fuse.O_RDONLY) {
                throw new ErrnoException(Errno.EISDIR);
            }
            truncateOnOpen(n, flags, openFlags);
            return openHandle(n, flags);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Created create(Context ctx, long parent, String name, int mode, int umask, int flags)
            throws ErrnoException {
        lock.lock();
        try {
            MemNode p = dir(parent);
            MemNode.DirEntry e = p.byName.get(name);
            MemNode n;
            if (e != null) {
                // Possible when the kernel had no dentry (e.g. another writer created the name).
                if ((flags & Fuse.O_EXCL) != 0) {
                    throw new ErrnoException(Errno.EEXIST);
                }
                n = node(e.nodeid());
                if (n.isDir()) {
                    throw new ErrnoException(Errno.EISDIR);
                }
                truncateOnOpen(n, flags, 0);
            } else {
                n = create(ctx, parent, name, Fuse.S_IFREG | (mode & 07777), umask);
            }
            return new Created(entry(n), openHandle(n, flags));
        } finally {
            lock.unlock();
        }
    }

    private MemNode regular(long nodeid) throws ErrnoException {
        MemNode n = node(nodeid);
        if (n.isDir()) {
            throw new ErrnoException(Errno.EISDIR);
        }
        if (!n.isRegular()) {
            throw new ErrnoException(Errno.EINVAL);
        }
        return n;
    }

    @Override
    public int read(Context ctx, long nodeid, long fh, long offset, int size, ByteBuffer dst) throws ErrnoException {
        shared.lock();
        try {
            MemNode n = regular(nodeid);
            int r = n.data.read(offset, size, dst);
            n.atime = now();
            return r;
        } finally {
            shared.unlock();
        }
    }

    @Override
    public int write(Context ctx, long nodeid, long fh, long offset, ByteBuffer data, int writeFlags)
            throws ErrnoException {
        lock.lock();
        try {
            MemNode n = regular(nodeid);
            int len = data.remaining();
            largestWrite = Math.max(largestWrite, len);
            checkSpace(n.data.newChunksFor(offset, len));
            n.data.write(offset, data);
            n.mtime = n.ctime = now();
            if ((writeFlags & Fuse.WRITE_KILL_SUIDGID) != 0) {
                killSuidGid(n);
            }
            return len;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public StatFs statfs(Context ctx, long nodeid) {
        shared.lock();
        try {
            long blocks = capacityBytes / BLKSIZE;
            long free = Math.max(0, (capacityBytes - usedBytes()) / BLKSIZE);
            return new StatFs(blocks, free, free, maxInodes, Math.max(0, maxInodes - nodes.size()), BLKSIZE,
                    NAME_MAX, BLKSIZE);
        } finally {
            shared.unlock();
        }
    }

    @Override
    public void flush(Context ctx, long nodeid, long fh, long lockOwner) {
        locks.releasePosix(nodeid, lockOwner);
    }

    @Override
    public void release(Context ctx, long nodeid, long fh, int flags, int releaseFlags, long lockOwner) {
        if ((releaseFlags & Fuse.RELEASE_FLOCK_UNLOCK) != 0) {
            locks.releaseFlock(nodeid, lockOwner);
        }
        // OFD locks belong to the open file and the kernel sends no unlock for them: drop every
        // byte-range lock taken through this handle. (Process-owned POSIX locks taken through it
        // were already dropped by the FLUSH of the close that led here.)
        Handle h;
        lock.lock();
        try {
            h = handles.get(fh);
        } finally {
            lock.unlock();
        }
        if (h != null) {
            for (long owner : h.lockOwners()) {
                locks.releasePosix(nodeid, owner);
            }
        }
        closeHandle(fh);
    }

    private void closeHandle(long fh) {
        lock.lock();
        try {
            Handle h = handles.remove(fh);
            if (h != null) {
                MemNode n = nodes.get(h.nodeid());
                if (n != null) {
                    n.openHandles--;
                    maybeFree(n);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void fsync(Context ctx, long nodeid, long fh, boolean datasync) {
        // Memory is as durable as it gets here.
    }

    // ---------------------------------------------------------------- xattrs

    /** An ACL xattr value; a malformed one is EINVAL, as setxattr(2) reports it. */
    private static PosixAcl decodeAcl(byte[] value) throws ErrnoException {
        try {
            return PosixAcl.decode(value, -1);
        } catch (CorruptMetadataException e) {
            throw new ErrnoException(Errno.EINVAL, e.getMessage());
        }
    }

    private static void checkXattrName(String name) throws ErrnoException {
        if (!(name.startsWith("user.") || name.startsWith("trusted.") || name.startsWith("security.")
                || name.equals(PosixAcl.ACCESS_XATTR) || name.equals(PosixAcl.DEFAULT_XATTR))) {
            throw new ErrnoException(Errno.EOPNOTSUPP, "xattr namespace of " + name);
        }
    }

    @Override
    public void setxattr(Context ctx, long nodeid, String name, byte[] value, int flags, int setxattrFlags)
            throws ErrnoException {
        checkXattrName(name);
        lock.lock();
        try {
            MemNode n = node(nodeid);
            boolean exists = n.xattrs.containsKey(name);
            if ((flags & Fuse.XATTR_CREATE) != 0 && exists) {
                throw new ErrnoException(Errno.EEXIST);
            }
            if ((flags & Fuse.XATTR_REPLACE) != 0 && !exists) {
                throw new ErrnoException(Errno.ENODATA);
            }
            if (name.equals(PosixAcl.ACCESS_XATTR)) {
                PosixAcl acl = decodeAcl(value);
                n.mode = acl.applyToMode(n.mode);
                if ((setxattrFlags & Fuse.SETXATTR_ACL_KILL_SGID) != 0) {
                    n.mode &= ~Fuse.S_ISGID;
                }
                if (acl.isEquivalentToMode()) {
                    n.xattrs.remove(name);
                } else {
                    n.xattrs.put(name, acl.encode());
                }
            } else if (name.equals(PosixAcl.DEFAULT_XATTR)) {
                if (!n.isDir()) {
                    throw new ErrnoException(Errno.EACCES);
                }
                if (value.length == 0) {
                    n.xattrs.remove(name);
                } else {
                    n.xattrs.put(name, decodeAcl(value).encode());
                }
            } else {
                n.xattrs.put(name, value.clone());
            }
            n.ctime = now();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public byte[] getxattr(Context ctx, long nodeid, String name) throws ErrnoException {
        checkXattrName(name);
        shared.lock();
        try {
            byte[] v = node(nodeid).xattrs.get(name);
            if (v == null) {
                throw new ErrnoException(Errno.ENODATA);
            }
            return v.clone();
        } finally {
            shared.unlock();
        }
    }

    @Override
    public byte[] listxattr(Context ctx, long nodeid) throws ErrnoException {
        shared.lock();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (String name : node(nodeid).xattrs.keySet()) {
                out.writeBytes(name.getBytes(StandardCharsets.ISO_8859_1));
                out.write(0);
            }
            return out.toByteArray();
        } finally {
            shared.unlock();
        }
    }

    @Override
    public void removexattr(Context ctx, long nodeid, String name) throws ErrnoException {
        checkXattrName(name);
        lock.lock();
        try {
            MemNode n = node(nodeid);
            if (n.xattrs.remove(name) == null) {
                throw new ErrnoException(Errno.ENODATA);
            }
            n.ctime = now();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- directories

    @Override
    public OpenReply opendir(Context ctx, long nodeid, int flags) throws ErrnoException {
        lock.lock();
        try {
            MemNode n = dir(nodeid);
            long fh = nextFh++;
            handles.put(fh, new Handle(n.id, flags));
            n.openHandles++;
            return new OpenReply(fh, 0);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void releasedir(Context ctx, long nodeid, long fh, int flags) {
        closeHandle(fh);
    }

    @Override
    public void fsyncdir(Context ctx, long nodeid, long fh, boolean datasync) {
    }

    @Override
    public void readdir(Context ctx, long nodeid, long fh, long offset, DirectorySink sink) throws ErrnoException {
        shared.lock();
        try {
            MemNode d = dir(nodeid);
            if (offset < 1 && !sink.add(".", d.id, d.mode, 1)) {
                return;
            }
            if (offset < 2 && !sink.add("..", d.parent, Fuse.S_IFDIR, 2)) {
                return;
            }
            for (MemNode.DirEntry e : d.byCookie.tailMap(offset, false).values()) {
                MemNode c = nodes.get(e.nodeid());
                if (!sink.add(e.name(), c.id, c.mode, e.cookie())) {
                    return;
                }
            }
        } finally {
            shared.unlock();
        }
    }

    @Override
    public void readdirplus(Context ctx, long nodeid, long fh, long offset, DirectoryPlusSink sink)
            throws ErrnoException {
        shared.lock();
        try {
            MemNode d = dir(nodeid);
            if (offset < 1 && !sink.add(".", new Entry(d.id, 0, entryTimeout, attrTimeout, attr(d)), 1)) {
                return;
            }
            MemNode up = node(d.parent);
            if (offset < 2 && !sink.add("..", new Entry(up.id, 0, entryTimeout, attrTimeout, attr(up)), 2)) {
                return;
            }
            for (MemNode.DirEntry e : d.byCookie.tailMap(offset, false).values()) {
                MemNode c = nodes.get(e.nodeid());
                if (!sink.add(e.name(), new Entry(c.id, 0, entryTimeout, attrTimeout, attr(c)), e.cookie())) {
                    return;
                }
                c.referenced = true; // sent: the kernel holds a reference (forget() takes it back)
            }
        } finally {
            shared.unlock();
        }
    }

    // ---------------------------------------------------------------- locks, space, seeking

    @Override
    public FileLock getlk(Context ctx, long nodeid, long fh, long owner, FileLock lk) {
        return locks.test(nodeid, owner, lk);
    }

    @Override
    public void setlk(Context ctx, long nodeid, long fh, long owner, FileLock lk, boolean wait)
            throws ErrnoException {
        if (lk.type() != Fuse.F_UNLCK) {
            lock.lock();
            try {
                Handle h = handles.get(fh);
                if (h != null) {
                    h.lockOwners().add(owner);
                }
            } finally {
                lock.unlock();
            }
        }
        locks.lock(ctx, nodeid, owner, lk, wait);
    }

    @Override
    public void flock(Context ctx, long nodeid, long fh, long owner, int type, boolean wait) throws ErrnoException {
        locks.flock(ctx, nodeid, owner, type, wait);
    }

    @Override
    public void fallocate(Context ctx, long nodeid, long fh, long offset, long length, int mode)
            throws ErrnoException {
        int known = Fuse.FALLOC_KEEP_SIZE | Fuse.FALLOC_PUNCH_HOLE | Fuse.FALLOC_ZERO_RANGE;
        if ((mode & ~known) != 0) {
            throw new ErrnoException(Errno.EOPNOTSUPP);
        }
        if ((mode & Fuse.FALLOC_PUNCH_HOLE) != 0 && (mode & Fuse.FALLOC_KEEP_SIZE) == 0) {
            throw new ErrnoException(Errno.EOPNOTSUPP); // as Linux: punching requires KEEP_SIZE
        }
        if (offset + length < 0) {
            throw new ErrnoException(Errno.EFBIG);
        }
        lock.lock();
        try {
            MemNode n = regular(nodeid);
            boolean keep = (mode & Fuse.FALLOC_KEEP_SIZE) != 0;
            if ((mode & Fuse.FALLOC_PUNCH_HOLE) != 0) {
                n.data.punch(offset, length);
            } else {
                checkSpace(n.data.newChunksFor(offset, length));
                if ((mode & Fuse.FALLOC_ZERO_RANGE) != 0) {
                    n.data.punch(offset, length);
                }
                n.data.allocate(offset, length, keep);
            }
            n.mtime = n.ctime = now();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long lseek(Context ctx, long nodeid, long fh, long offset, int whence) throws ErrnoException {
        shared.lock();
        try {
            MemNode n = regular(nodeid);
            long r;
            if (whence == Fuse.SEEK_DATA) {
                r = n.data.seekData(offset);
            } else if (whence == Fuse.SEEK_HOLE) {
                r = n.data.seekHole(offset);
            } else {
                throw new ErrnoException(Errno.EINVAL);
            }
            if (r < 0) {
                throw new ErrnoException(Errno.ENXIO);
            }
            return r;
        } finally {
            shared.unlock();
        }
    }

    @Override
    public long copyFileRange(Context ctx, long nodeIn, long fhIn, long offIn, long nodeOut, long fhOut,
                              long offOut, long length, long flags) throws ErrnoException {
        if (flags != 0) {
            throw new ErrnoException(Errno.EINVAL);
        }
        lock.lock();
        try {
            MemNode in = regular(nodeIn);
            MemNode out = regular(nodeOut);
            // A short copy is a valid answer; bounding it keeps one request from copying terabytes of holes.
            long n = Math.max(0, Math.min(Math.min(length, 16L << 20), in.data.size() - offIn));
            if (in == out && offIn < offOut + n && offOut < offIn + n) {
                throw new ErrnoException(Errno.EINVAL);
            }
            checkSpace(out.data.newChunksFor(offOut, n));
            long done = 0;
            ByteBuffer buf = ByteBuffer.allocate(SparseData.CHUNK);
            while (done < n) {
                buf.clear().limit((int) Math.min(SparseData.CHUNK, n - done));
                in.data.read(offIn + done, buf.remaining(), buf);
                buf.flip();
                out.data.write(offOut + done, buf);
                done += buf.limit();
            }
            out.mtime = out.ctime = now();
            return n;
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- local API (tests, benchmark)

    /** Node id of an absolute path inside this file system ("/" = root), following no symlinks. */
    public long resolve(String path) throws ErrnoException {
        shared.lock();
        try {
            MemNode cur = node(Fuse.ROOT_ID);
            for (String part : path.split("/")) {
                if (part.isEmpty()) {
                    continue;
                }
                MemNode.DirEntry e = dir(cur.id).byName.get(part);
                if (e == null) {
                    throw new ErrnoException(Errno.ENOENT, path);
                }
                cur = node(e.nodeid());
            }
            return cur.id;
        } finally {
            shared.unlock();
        }
    }

    /**
     * Overwrites file data without going through the kernel — what another cluster node does. The
     * kernel's cache stays stale until {@link org.gfs2j.fuse.fs.Notifier#invalidateInode} is sent.
     */
    public void writeBehindKernel(long nodeid, long offset, byte[] bytes) throws ErrnoException {
        lock.lock();
        try {
            MemNode n = regular(nodeid);
            n.data.write(offset, ByteBuffer.wrap(bytes));
            n.mtime = n.ctime = now();
        } finally {
            lock.unlock();
        }
    }

    /** Removes a name without telling the kernel (another node unlinked it); returns the node id. */
    public long unlinkBehindKernel(long parent, String name) throws ErrnoException {
        lock.lock();
        try {
            MemNode p = dir(parent);
            MemNode.DirEntry e = p.byName.get(name);
            if (e == null) {
                throw new ErrnoException(Errno.ENOENT);
            }
            if (node(e.nodeid()).isDir()) {
                throw new ErrnoException(Errno.EISDIR);
            }
            MemNode child = removeName(p, name);
            maybeFree(child);
            return child.id;
        } finally {
            lock.unlock();
        }
    }

    /** Largest WRITE payload received so far (shows whether big writes were negotiated). */
    public int largestWrite() {
        return largestWrite;
    }

    /** The whole content of a regular file as the server has it. */
    public byte[] contents(long nodeid) throws ErrnoException {
        shared.lock();
        try {
            MemNode n = regular(nodeid);
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(Integer.MAX_VALUE - 8, n.data.size()));
            n.data.read(0, b.capacity(), b);
            return b.array();
        } finally {
            shared.unlock();
        }
    }

    /** Whether the node still exists on the server (false once it was freed). */
    public boolean exists(long nodeid) {
        shared.lock();
        try {
            return nodes.containsKey(nodeid);
        } finally {
            shared.unlock();
        }
    }

    /** Number of inodes held (freed ones excluded). */
    public int nodeCount() {
        shared.lock();
        try {
            return nodes.size();
        } finally {
            shared.unlock();
        }
    }

    public ConnectionInfo connection() {
        return connection;
    }
}
