package org.gfs2j.fuse.fs;

import java.nio.ByteBuffer;
import java.time.Duration;

import org.gfs2j.fuse.protocol.Errno;

/**
 * The file-system layer: one method per FUSE operation, addressed by node id (root = 1). Every
 * method defaults to ENOSYS, so an implementation overrides what it supports. Mind the per-opcode
 * meaning of ENOSYS (spec §4.3): for FLUSH, FSYNC, ACCESS, OPEN, GETXATTR and others the kernel
 * remembers it for the whole mount, so never throw ENOSYS transiently.
 *
 * <p>Methods are called concurrently from several worker threads, also for the same inode and the
 * same directory. Names are byte strings carried as ISO-8859-1 Strings (one char per byte).
 *
 * <p>Lookup references: every {@link Entry} with a non-zero nodeid returned from lookup, mknod,
 * mkdir, symlink, link, create and readdirplus (except "." and "..") that reaches the kernel is one
 * reference; the session counts them and calls {@link #forget(long)} when the kernel dropped the
 * last one. An unlinked inode must stay usable until then (and until its handles are released).
 */
public interface FileSystem {
    private static ErrnoException nosys() {
        return new ErrnoException(Errno.ENOSYS);
    }

    /** After INIT was answered. Keep the notifier; it is valid until {@link #destroy()}. */
    default void init(ConnectionInfo connection) {
    }

    /** The session ended (unmount or abort). Every remaining lookup reference is gone. */
    default void destroy() {
    }

    default Entry lookup(Context ctx, long parent, String name) throws ErrnoException {
        throw nosys();
    }

    /** The kernel holds no more references to {@code nodeid} (its lookup count reached zero). */
    default void forget(long nodeid) {
    }

    /** @param fh the open handle when the call came through an open file (fstat), else -1 */
    default Attr getattr(Context ctx, long nodeid, long fh) throws ErrnoException {
        throw nosys();
    }

    /** How long the kernel may cache the attributes returned by getattr/setattr of {@code nodeid}. */
    default Duration attrTimeout(long nodeid) {
        return Duration.ofSeconds(1);
    }

    default Attr setattr(Context ctx, long nodeid, SetAttr attr) throws ErrnoException {
        throw nosys();
    }

    default byte[] readlink(Context ctx, long nodeid) throws ErrnoException {
        throw nosys();
    }

    default Entry symlink(Context ctx, long parent, String name, byte[] target) throws ErrnoException {
        throw nosys();
    }

    /**
     * @param mode  type and permission bits, NOT masked (DONT_MASK is negotiated): apply {@code umask}
     *              unless the parent has a default ACL
     */
    default Entry mknod(Context ctx, long parent, String name, int mode, int rdev, int umask) throws ErrnoException {
        throw nosys();
    }

    /** @param mode permission bits only (S_IFDIR not set), not masked; see {@link #mknod}. */
    default Entry mkdir(Context ctx, long parent, String name, int mode, int umask) throws ErrnoException {
        throw nosys();
    }

    default void unlink(Context ctx, long parent, String name) throws ErrnoException {
        throw nosys();
    }

    default void rmdir(Context ctx, long parent, String name) throws ErrnoException {
        throw nosys();
    }

    /** @param flags 0 or RENAME_NOREPLACE / RENAME_EXCHANGE / RENAME_WHITEOUT */
    default void rename(Context ctx, long parent, String name, long newParent, String newName, int flags)
            throws ErrnoException {
        throw nosys();
    }

    default Entry link(Context ctx, long nodeid, long newParent, String newName) throws ErrnoException {
        throw nosys();
    }

    /**
     * @param flags     open(2) flags (O_TRUNC included: ATOMIC_O_TRUNC is negotiated)
     * @param openFlags FUSE_OPEN_KILL_SUIDGID: truncating open by a caller without CAP_FSETID
     */
    default OpenReply open(Context ctx, long nodeid, int flags, int openFlags) throws ErrnoException {
        throw nosys();
    }

    /**
     * Reads up to {@code size} bytes at {@code offset} into {@code dst} (which has room for
     * {@code size}); returns the count. Fewer bytes than asked means end of file.
     */
    default int read(Context ctx, long nodeid, long fh, long offset, int size, ByteBuffer dst) throws ErrnoException {
        throw nosys();
    }

    /**
     * Writes {@code data} (valid only during the call) at {@code offset}; returns the count.
     * @param writeFlags FUSE_WRITE_CACHE (delayed page-cache write-back: fh is any writable handle),
     *                   FUSE_WRITE_KILL_SUIDGID, ...
     */
    default int write(Context ctx, long nodeid, long fh, long offset, ByteBuffer data, int writeFlags)
            throws ErrnoException {
        throw nosys();
    }

    default StatFs statfs(Context ctx, long nodeid) throws ErrnoException {
        throw nosys();
    }

    /** Sent on every close() of a descriptor: release the POSIX locks of {@code lockOwner}. */
    default void flush(Context ctx, long nodeid, long fh, long lockOwner) throws ErrnoException {
        throw nosys();
    }

    /**
     * The open file is gone (exactly once per OPEN/CREATE). {@code releaseFlags} has
     * FUSE_RELEASE_FLOCK_UNLOCK when flock locks of {@code lockOwner} must be dropped. Errors are ignored.
     */
    default void release(Context ctx, long nodeid, long fh, int flags, int releaseFlags, long lockOwner)
            throws ErrnoException {
    }

    default void fsync(Context ctx, long nodeid, long fh, boolean datasync) throws ErrnoException {
        throw nosys();
    }

    /** @param flags XATTR_CREATE / XATTR_REPLACE; @param setxattrFlags SETXATTR_ACL_KILL_SGID */
    default void setxattr(Context ctx, long nodeid, String name, byte[] value, int flags, int setxattrFlags)
            throws ErrnoException {
        throw nosys();
    }

    /** The whole value (size probing and ERANGE are handled by the dispatcher); ENODATA if absent. */
    default byte[] getxattr(Context ctx, long nodeid, String name) throws ErrnoException {
        throw nosys();
    }

    /** Attribute names, each NUL-terminated, concatenated. */
    default byte[] listxattr(Context ctx, long nodeid) throws ErrnoException {
        throw nosys();
    }

    default void removexattr(Context ctx, long nodeid, String name) throws ErrnoException {
        throw nosys();
    }

    default OpenReply opendir(Context ctx, long nodeid, int flags) throws ErrnoException {
        throw nosys();
    }

    /** Entries after cookie {@code offset} (0 = from the start, "." and ".." included). */
    default void readdir(Context ctx, long nodeid, long fh, long offset, DirectorySink sink) throws ErrnoException {
        throw nosys();
    }

    /**
     * READDIRPLUS. DO_READDIRPLUS is negotiated only if the implementation overrides this method.
     */
    default void readdirplus(Context ctx, long nodeid, long fh, long offset, DirectoryPlusSink sink)
            throws ErrnoException {
        throw nosys();
    }

    default void releasedir(Context ctx, long nodeid, long fh, int flags) throws ErrnoException {
    }

    default void fsyncdir(Context ctx, long nodeid, long fh, boolean datasync) throws ErrnoException {
        throw nosys();
    }

    /** Only sent without default_permissions (never with the default mount options). */
    default void access(Context ctx, long nodeid, int mask) throws ErrnoException {
        throw nosys();
    }

    /** @param mode S_IFREG|perm, not masked; @param flags open flags incl. O_CREAT/O_EXCL/O_TRUNC */
    default Created create(Context ctx, long parent, String name, int mode, int umask, int flags)
            throws ErrnoException {
        throw nosys();
    }

    /** GETLK for POSIX/OFD locks: the conflicting lock, or {@link FileLock#unlocked()}. */
    default FileLock getlk(Context ctx, long nodeid, long fh, long owner, FileLock lock) throws ErrnoException {
        throw nosys();
    }

    /**
     * SETLK/SETLKW for POSIX/OFD byte-range locks (also unlock with F_UNLCK). Conflict: EAGAIN when
     * {@code wait} is false; when true, block honouring {@link Context#onInterrupt} (then EINTR).
     */
    default void setlk(Context ctx, long nodeid, long fh, long owner, FileLock lock, boolean wait)
            throws ErrnoException {
        throw nosys();
    }

    /** flock(2): {@code type} F_RDLCK (LOCK_SH), F_WRLCK (LOCK_EX) or F_UNLCK; owner = open file. */
    default void flock(Context ctx, long nodeid, long fh, long owner, int type, boolean wait) throws ErrnoException {
        throw nosys();
    }

    /** @param mode 0 or FALLOC_FL_KEEP_SIZE / PUNCH_HOLE / ZERO_RANGE */
    default void fallocate(Context ctx, long nodeid, long fh, long offset, long length, int mode)
            throws ErrnoException {
        throw nosys();
    }

    /** SEEK_DATA / SEEK_HOLE: the resulting offset; ENXIO past the end. */
    default long lseek(Context ctx, long nodeid, long fh, long offset, int whence) throws ErrnoException {
        throw nosys();
    }

    default long copyFileRange(Context ctx, long nodeIn, long fhIn, long offIn, long nodeOut, long fhOut,
                               long offOut, long length, long flags) throws ErrnoException {
        throw nosys();
    }
}
