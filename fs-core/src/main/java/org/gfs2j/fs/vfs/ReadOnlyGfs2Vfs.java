package org.gfs2j.fs.vfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.gfs2j.fs.meta.DirectoryReader;
import org.gfs2j.fs.meta.FileReader;
import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.meta.Inode;
import org.gfs2j.fs.meta.Journal;
import org.gfs2j.fs.meta.NoSuchPathException;
import org.gfs2j.fs.meta.Statfs;
import org.gfs2j.fs.meta.Xattr;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.ondisk.EaHeader;
import org.gfs2j.fs.ondisk.PosixAcl;
import org.gfs2j.fs.ondisk.Superblock;
import org.gfs2j.journal.format.CorruptMetadataException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Gfs2Vfs} over a {@link FileSystemReader}: a GFS2 device mounted read-only. Opening
 * validates the superblock, the root directory and every journal, and refuses a device whose
 * journals are dirty (replay writes, which a read-only mount must not do). Blocks are read
 * through a bounded LRU cache; nothing else is cached, so the only state is the open handles.
 * Every modifying operation fails with EROFS.
 */
public final class ReadOnlyGfs2Vfs implements Gfs2Vfs {
    private static final Logger LOG = LoggerFactory.getLogger(ReadOnlyGfs2Vfs.class);
    /** 16384 blocks: 64 MiB with 4 KiB blocks. */
    public static final int DEFAULT_CACHE_BLOCKS = 16384;
    public static final int NAME_MAX = 255;
    private static final int O_ACCMODE = 03;
    private static final int O_TRUNC = 01000;

    private final String deviceName;
    private final FileSystemReader fs;
    private final CachingBlockSource cache;
    private final long rootIno;
    private final int bsize;
    private final int blockShift;
    private final AtomicLong nextHandle = new AtomicLong(1);
    private final ConcurrentHashMap<Long, OpenFile> files = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, OpenDir> dirs = new ConcurrentHashMap<>();

    private record OpenFile(Inode inode, FileReader reader) {
    }

    /** A directory's entries in cookie order, read at opendir and again at each read from cookie 0. */
    private record OpenDir(Inode dir, DirectoryReader.Entry[] entries, long[] keys, boolean unread) {
        /** The same snapshot once a read from cookie 0 has used it: the next such read rereads. */
        OpenDir used() {
            return new OpenDir(dir, entries, keys, false);
        }
    }

    private ReadOnlyGfs2Vfs(String deviceName, FileSystemReader fs, CachingBlockSource cache) throws IOException {
        this.deviceName = deviceName;
        this.fs = fs;
        this.cache = cache;
        this.bsize = fs.geometry().bsize();
        this.blockShift = fs.geometry().bsizeShift() - 9;
        this.rootIno = fs.root().addr();
    }

    /** Opens {@code device} with the default cache size; see {@link #open(Path, int)}. */
    public static ReadOnlyGfs2Vfs open(Path device) throws IOException {
        return open(device, DEFAULT_CACHE_BLOCKS);
    }

    /**
     * Opens and validates {@code device}: NotGfs2Exception without a GFS2 superblock,
     * CorruptMetadataException for a broken superblock, root, jindex or journal,
     * {@link DirtyJournalException} when a journal was not unmounted cleanly.
     */
    public static ReadOnlyGfs2Vfs open(Path device, int cacheBlocks) throws IOException {
        FileSystemReader plain = FileSystemReader.open(device);
        try {
            CachingBlockSource cache = new CachingBlockSource(plain.source(), cacheBlocks);
            FileSystemReader cached = new FileSystemReader(cache, plain);
            ReadOnlyGfs2Vfs vfs = new ReadOnlyGfs2Vfs(device.toString(), cached, cache);
            vfs.checkJournalsClean();
            return vfs;
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    /**
     * The read operations over an already open reader (a read-write mount's reader over its buffer
     * cache, so that reads see committed metadata). Journals are not checked: the mount replayed its
     * own. {@link #close} of the result closes {@code fs}.
     */
    public static ReadOnlyGfs2Vfs over(String deviceName, FileSystemReader fs) throws IOException {
        return new ReadOnlyGfs2Vfs(deviceName, fs, null);
    }

    private void checkJournalsClean() throws IOException {
        List<Journal> journals = fs.journals();
        if (journals.isEmpty()) {
            throw new CorruptMetadataException(fs.superblock().masterDir().addr(), "jindex", "journal0",
                    "the file system has no journals");
        }
        for (Journal j : journals) {
            Journal.Head head = fs.head(j);
            if (!head.found()) {
                throw new CorruptMetadataException(j.inode().addr(), j.name(), "log headers",
                        "no valid log header, the journal's head cannot be found");
            }
            if (!head.isClean()) {
                throw new DirtyJournalException(j.id(), deviceName + ": " + j.name()
                        + " is dirty (the file system was not unmounted cleanly): its journal must be replayed"
                        + " first, and a read-only mount does not replay; run `fsck.gfs2 -y " + deviceName
                        + "` to replay it");
            }
        }
    }

    public Superblock superblock() {
        return fs.superblock();
    }

    /** Hit/miss figures of the block cache (for logs). */
    public String cacheStatistics() {
        return cache == null ? "(cache of the mount)" : cache.statistics();
    }

    @Override
    public long rootIno() {
        return rootIno;
    }

    @Override
    public boolean isWritable() {
        return false;
    }

    // ---- reading ----

    @Override
    public InodeAttributes lookup(long parentIno, byte[] name) throws FsException {
        if (name.length > NAME_MAX) {
            throw new FsException(FsException.ENAMETOOLONG, "name longer than " + NAME_MAX + " bytes");
        }
        return call("lookup", parentIno, () -> {
            Inode dir = directory(parentIno);
            Optional<DirectoryReader.Entry> e = fs.directory(dir).lookup(name);
            if (e.isEmpty()) {
                throw new FsException(FsException.ENOENT, "no such entry");
            }
            return attributes(fs.inode(dir, e.get()));
        });
    }

    @Override
    public void forget(long ino, long count) {
        // Nothing is held per inode in a read-only mount.
    }

    @Override
    public InodeAttributes getattr(long ino) throws FsException {
        return call("getattr", ino, () -> attributes(inode(ino)));
    }

    @Override
    public byte[] readlink(long ino) throws FsException {
        return call("readlink", ino, () -> {
            Inode i = inode(ino);
            if (!i.dinode().isSymlink()) {
                throw new FsException(FsException.EINVAL, "not a symbolic link");
            }
            return fs.symlinkTarget(i);
        });
    }

    @Override
    public long open(long ino, int flags) throws FsException {
        if ((flags & O_ACCMODE) != 0 || (flags & O_TRUNC) != 0) {
            throw FsException.readOnly();
        }
        OpenFile f = call("open", ino, () -> {
            Inode i = inode(ino);
            if (i.dinode().isDirectory()) {
                throw new FsException(FsException.EISDIR, "is a directory");
            }
            if (!i.dinode().isRegular()) {
                throw new FsException(FsException.EINVAL, "only regular files are opened through the file system");
            }
            return new OpenFile(i, fs.file(i));
        });
        long h = nextHandle.getAndIncrement();
        files.put(h, f);
        return h;
    }

    @Override
    public int read(long handle, long offset, int length, ByteBuffer dst) throws FsException {
        OpenFile f = files.get(handle);
        if (f == null) {
            throw new FsException(FsException.EBADF, "no open file with handle " + handle);
        }
        if (offset < 0 || length < 0) {
            throw new FsException(FsException.EINVAL, "negative offset or length");
        }
        long size = f.reader().size();
        if (offset >= size) {
            return 0;
        }
        int n = (int) Math.min(length, size - offset);
        int start = dst.position();
        call("read", f.inode().addr(), () -> {
            f.reader().copyTo(offset, n, dst);
            return null;
        });
        return dst.position() - start;
    }

    @Override
    public long lseek(long handle, long offset, int whence) throws FsException {
        OpenFile f = files.get(handle);
        if (f == null) {
            throw new FsException(FsException.EBADF, "no open file with handle " + handle);
        }
        return call("lseek", f.inode().addr(), () -> DataSeek.seek(f.reader(), offset, whence));
    }

    @Override
    public void fallocate(long handle, long offset, long length, int mode) throws FsException {
        throw FsException.readOnly();
    }

    @Override
    public void release(long handle) {
        files.remove(handle);
    }

    @Override
    public long opendir(long ino) throws FsException {
        OpenDir d = call("opendir", ino, () -> {
            Inode dir = directory(ino);
            return sortedEntries(dir, fs.directory(dir).list());
        });
        long h = nextHandle.getAndIncrement();
        dirs.put(h, d);
        return h;
    }

    /** Unsigned hash, then name length, then bytes: the order of the kernel's readdir within a hash. */
    private static final Comparator<DirectoryReader.Entry> COOKIE_ORDER = (a, b) -> {
        int c = Integer.compareUnsigned(a.hash(), b.hash());
        if (c != 0) {
            return c;
        }
        c = Integer.compare(a.nameBytes().length, b.nameBytes().length);
        return c != 0 ? c : Arrays.compareUnsigned(a.nameBytes(), b.nameBytes());
    };

    /**
     * Cookie keys: the 32-bit name hash in the high bits and, below it, the entry's rank among the
     * names sharing that hash, so colliding names get distinct, ordered positions.
     */
    private static OpenDir sortedEntries(Inode dir, List<DirectoryReader.Entry> list) {
        DirectoryReader.Entry[] entries = list.toArray(new DirectoryReader.Entry[0]);
        Arrays.sort(entries, COOKIE_ORDER);
        return new OpenDir(dir, entries, cookieKeys(entries), true);
    }

    /** Keys of entries already in {@link #COOKIE_ORDER}: the position of each, unique and ascending. */
    static long[] cookieKeys(DirectoryReader.Entry[] sorted) {
        long[] keys = new long[sorted.length];
        int rank = 0;
        for (int i = 0; i < sorted.length; i++) {
            rank = i > 0 && sorted[i].hash() == sorted[i - 1].hash() ? Math.min(rank + 1, 0xffff) : 0;
            keys[i] = (Integer.toUnsignedLong(sorted[i].hash()) << 16) | rank;
        }
        return keys;
    }

    /** Sorts into readdir (cookie) order; for tests. */
    static void sortForCookies(DirectoryReader.Entry[] entries) {
        Arrays.sort(entries, COOKIE_ORDER);
    }

    @Override
    public void readdir(long dirHandle, long cookie, boolean withAttributes, DirSink sink) throws FsException {
        OpenDir open = dirs.get(dirHandle);
        if (open == null) {
            throw new FsException(FsException.EBADF, "no open directory with handle " + dirHandle);
        }
        // A read from the start (first readdir or rewinddir) shows the directory as it is now; later
        // cookies continue in that snapshot. A cookie is a hash position, so a reader never sees an
        // entry twice or skips one that stayed, whatever changed in between.
        // The first read from cookie 0 takes the snapshot opendir just made, later ones reread.
        final OpenDir d = cookie != 0 ? open : open.unread() ? use(dirHandle, open) : reread(dirHandle, open);
        // Entries whose key is at least the cookie: the cookie handed out is "key of the last entry + 1".
        int from = Arrays.binarySearch(d.keys(), cookie);
        if (from < 0) {
            from = -from - 1;
        }
        for (int i = from; i < d.entries().length; i++) {
            DirectoryReader.Entry e = d.entries()[i];
            boolean dot = isDot(e.nameBytes());
            InodeAttributes attrs = null;
            if (withAttributes && !dot) {
                try {
                    attrs = attributes(fs.inode(d.dir(), e));
                } catch (IOException ex) {
                    // Usually the entry was removed (its dinode freed) after the directory was read: no
                    // error to log. The name is still listed; a lookup of it reports real damage.
                    LOG.debug("{}: readdir of inode {}: no attributes for an entry: {}", deviceName, d.dir().addr(),
                            ex.getMessage());
                    attrs = null;
                } catch (RuntimeException ex) {
                    LOG.error("{}: readdir of inode {} failed", deviceName, d.dir().addr(), ex);
                    attrs = null;
                }
            }
            DirEntry out = new DirEntry(e.nameBytes(), e.inum().addr(), (e.type() & 0xf) << 12, d.keys()[i] + 1, attrs);
            if (!sink.accept(out)) {
                return;
            }
        }
    }

    private OpenDir use(long dirHandle, OpenDir open) {
        dirs.replace(dirHandle, open, open.used());
        return open;
    }

    private OpenDir reread(long dirHandle, OpenDir open) throws FsException {
        OpenDir fresh = call("readdir", open.dir().addr(), () -> {
            Inode dir = directory(open.dir().addr());
            return sortedEntries(dir, fs.directory(dir).list());
        });
        dirs.replace(dirHandle, open, fresh.used());
        return fresh;
    }

    private static boolean isDot(byte[] n) {
        return (n.length == 1 && n[0] == '.') || (n.length == 2 && n[0] == '.' && n[1] == '.');
    }

    @Override
    public void releasedir(long dirHandle) {
        dirs.remove(dirHandle);
    }

    @Override
    public byte[] getxattr(long ino, String name) throws FsException {
        return call("getxattr", ino, () -> {
            Inode i = inode(ino);
            byte[] want = name.getBytes(StandardCharsets.ISO_8859_1);
            for (Xattr x : fs.xattrs(i).list()) {
                if (Arrays.equals(linuxName(x), want)) {
                    if (x.type() == EaHeader.TYPE_SYSTEM) {
                        // The kernel parses ACLs itself; a broken one must be EIO here, not a wrong permission check.
                        PosixAcl.decode(x.value(), i.dinode().eattr());
                    }
                    return x.value();
                }
            }
            throw new FsException(FsException.ENODATA, "no attribute " + name);
        });
    }

    @Override
    public List<String> listxattr(long ino) throws FsException {
        return call("listxattr", ino, () -> {
            List<String> out = new ArrayList<>();
            for (Xattr x : fs.xattrs(inode(ino)).list()) {
                out.add(new String(linuxName(x), StandardCharsets.ISO_8859_1));
            }
            return out;
        });
    }

    private static byte[] linuxName(Xattr x) {
        byte[] prefix = EaHeader.prefix(x.type()).getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = Arrays.copyOf(prefix, prefix.length + x.name().length);
        System.arraycopy(x.name(), 0, out, prefix.length, x.name().length);
        return out;
    }

    @Override
    public FsStatistics statfs() throws FsException {
        return call("statfs", rootIno, () -> {
            Statfs s = fs.statfs();
            return new FsStatistics(s.bsize(), s.blocks(), s.bfree(), s.bavail(), s.files(), s.ffree(), NAME_MAX);
        });
    }

    // ---- modifying operations: read-only ----

    @Override
    public InodeAttributes setattr(long ino, Integer mode, Long uid, Long gid, Long size, Long atimeNanos,
                                   Long mtimeNanos) throws FsException {
        throw FsException.readOnly();
    }

    @Override
    public InodeAttributes mknod(long parentIno, byte[] name, int mode, int rdev, int uid, int gid) throws FsException {
        throw FsException.readOnly();
    }

    @Override
    public InodeAttributes mkdir(long parentIno, byte[] name, int mode, int uid, int gid) throws FsException {
        throw FsException.readOnly();
    }

    @Override
    public InodeAttributes symlink(long parentIno, byte[] name, byte[] target, int uid, int gid) throws FsException {
        throw FsException.readOnly();
    }

    @Override
    public InodeAttributes link(long ino, long newParentIno, byte[] newName) throws FsException {
        throw FsException.readOnly();
    }

    @Override
    public void unlink(long parentIno, byte[] name) throws FsException {
        throw FsException.readOnly();
    }

    @Override
    public void rmdir(long parentIno, byte[] name) throws FsException {
        throw FsException.readOnly();
    }

    @Override
    public void rename(long parentIno, byte[] name, long newParentIno, byte[] newName, int flags) throws FsException {
        throw FsException.readOnly();
    }

    @Override
    public int write(long handle, long offset, ByteBuffer data) throws FsException {
        throw FsException.readOnly();
    }

    @Override
    public void fsync(long handle, boolean dataOnly) {
        // Nothing is ever dirty.
    }

    @Override
    public void setxattr(long ino, String name, byte[] value, int flags) throws FsException {
        throw FsException.readOnly();
    }

    @Override
    public void removexattr(long ino, String name) throws FsException {
        throw FsException.readOnly();
    }

    @Override
    public void close() throws IOException {
        files.clear();
        dirs.clear();
        LOG.debug("{}: closing, block cache {}", deviceName, cacheStatistics());
        fs.close();
    }

    // ---- helpers ----

    private Inode inode(long ino) throws IOException {
        try {
            return fs.inode(ino);
        } catch (NoSuchPathException e) {
            // A number we never handed out, or a dinode that is gone: the caller's handle is stale.
            throw new FsException(FsException.ESTALE, e.getMessage());
        }
    }

    private Inode directory(long ino) throws IOException {
        Inode i = inode(ino);
        if (!i.dinode().isDirectory()) {
            throw new FsException(FsException.ENOTDIR, "not a directory");
        }
        return i;
    }

    private InodeAttributes attributes(Inode i) {
        Dinode d = i.dinode();
        int type = d.mode() & Dinode.S_IFMT;
        int rdev = type == Dinode.S_IFCHR || type == Dinode.S_IFBLK ? InodeAttributes.encodeDevice(d.major(), d.minor()) : 0;
        return new InodeAttributes(i.addr(), d.num().formalIno(), d.mode(), d.nlink(), d.uid(), d.gid(), d.size(),
                d.blocks() << blockShift, d.atime(), (int) d.atimeNsec(), d.mtime(), (int) d.mtimeNsec(),
                d.ctime(), (int) d.ctimeNsec(), rdev, bsize);
    }

    @FunctionalInterface
    private interface IoCall<T> {
        T run() throws IOException;
    }

    /**
     * Runs one operation: an FsException is the answer; anything else (corrupt metadata, a device
     * error, a decoding bug) becomes EIO with the reason logged, so the daemon keeps serving.
     */
    private <T> T call(String op, long ino, IoCall<T> body) throws FsException {
        try {
            return body.run();
        } catch (FsException e) {
            throw e;
        } catch (IOException e) {
            LOG.error("{}: {} of inode {} failed: {}", deviceName, op, ino, e.getMessage());
            throw new FsException(op + " of inode " + ino + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            LOG.error("{}: {} of inode {} failed", deviceName, op, ino, e);
            throw new FsException(op + " of inode " + ino + ": " + e, e);
        }
    }
}
