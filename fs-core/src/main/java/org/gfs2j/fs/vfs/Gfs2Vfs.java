package org.gfs2j.fs.vfs;

import java.io.Closeable;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The GFS2 file system's own API, addressed by inode number (the dinode's block address), and
 * independent of FUSE: the mount layer (fuse-mount's adapter) translates requests into these
 * calls. Names are byte strings. Every failure is an {@link FsException} carrying an errno;
 * corrupt metadata met during an operation is EIO with the reason logged, never a crash.
 *
 * <p>All methods may be called concurrently, also for the same inode.
 *
 * <p>References: every {@link InodeAttributes} returned by {@link #lookup} or by {@link #readdir}
 * with attributes that the caller hands on (to the kernel) is a reference, dropped through
 * {@link #forget}; a later read-write implementation keeps an unlinked inode alive until then.
 */
public interface Gfs2Vfs extends Closeable {

    /** The root directory's inode number. */
    long rootIno();

    /** False for a read-only mount: every modifying operation fails with EROFS. */
    boolean isWritable();

    /** {@code name} in directory {@code parent}; ENOENT if absent, ENOTDIR if parent is no directory. */
    InodeAttributes lookup(long parentIno, byte[] name) throws FsException;

    /** The caller dropped {@code count} references to {@code ino} taken through lookup/readdir. */
    void forget(long ino, long count);

    InodeAttributes getattr(long ino) throws FsException;

    /** A symlink's target (EINVAL for other types). */
    byte[] readlink(long ino) throws FsException;

    /** Opens a file; {@code flags} are open(2) flags. Returns a handle for read/write/release. */
    long open(long ino, int flags) throws FsException;

    /**
     * Reads up to {@code length} bytes at {@code offset} into {@code dst} (which has room for
     * them); holes read as zeros. Returns the count: fewer than asked only at end of file.
     */
    int read(long handle, long offset, int length, ByteBuffer dst) throws FsException;

    void release(long handle);

    /** Opens a directory for {@link #readdir}; ENOTDIR for anything else. */
    long opendir(long ino) throws FsException;

    /**
     * Directory entries ("." and ".." included) from position {@code cookie} (0 = the start) in
     * GFS2's hash order, handed to {@code sink} until it refuses one. Cookies are derived from
     * the name hash (and the rank among names with the same hash), so they stay valid across
     * opendir calls.
     */
    void readdir(long dirHandle, long cookie, boolean withAttributes, DirSink sink) throws FsException;

    void releasedir(long dirHandle);

    /** Receives directory entries; returns false when full (that entry was not taken). */
    @FunctionalInterface
    interface DirSink {
        boolean accept(DirEntry entry);
    }

    /** The value of attribute {@code name} (with its namespace prefix, e.g. "user.color"); ENODATA if absent. */
    byte[] getxattr(long ino, String name) throws FsException;

    /** Attribute names with namespace prefixes, in on-disk order. */
    List<String> listxattr(long ino) throws FsException;

    FsStatistics statfs() throws FsException;

    // Modifying operations (EROFS on a read-only file system).

    /** Changes attributes; a null/negative argument leaves that attribute alone. */
    InodeAttributes setattr(long ino, Integer mode, Long uid, Long gid, Long size, Long atimeNanos, Long mtimeNanos)
            throws FsException;

    InodeAttributes mknod(long parentIno, byte[] name, int mode, int rdev, int uid, int gid) throws FsException;

    InodeAttributes mkdir(long parentIno, byte[] name, int mode, int uid, int gid) throws FsException;

    InodeAttributes symlink(long parentIno, byte[] name, byte[] target, int uid, int gid) throws FsException;

    InodeAttributes link(long ino, long newParentIno, byte[] newName) throws FsException;

    void unlink(long parentIno, byte[] name) throws FsException;

    void rmdir(long parentIno, byte[] name) throws FsException;

    void rename(long parentIno, byte[] name, long newParentIno, byte[] newName, int flags) throws FsException;

    int write(long handle, long offset, ByteBuffer data) throws FsException;

    void fsync(long handle, boolean dataOnly) throws FsException;

    /**
     * fallocate(2) on an open file: {@code mode} 0 allocates the blocks of [offset, offset+length)
     * and grows the size to cover them, FALLOC_FL_KEEP_SIZE (1) allocates without changing the
     * size, FALLOC_FL_PUNCH_HOLE|KEEP_SIZE (3) frees the whole blocks of the range and zeroes
     * the partial ones. Other modes: EOPNOTSUPP. EBADF for a handle not open for writing, ENOSPC
     * when the blocks are not there (EROFS on a read-only file system).
     */
    void fallocate(long handle, long offset, long length, int mode) throws FsException;

    /**
     * lseek(2) with SEEK_DATA (3) or SEEK_HOLE (4) on an open file: the next offset at or after
     * {@code offset} in data or in a hole (the end of file counts as a hole); ENXIO at or beyond
     * the end of the file, EINVAL for any other whence.
     */
    long lseek(long handle, long offset, int whence) throws FsException;

    /**
     * @param flags XATTR_CREATE (1) / XATTR_REPLACE (2); the read-write file system also takes
     *              {@code org.gfs2j.fs.xattr.XattrOperations.ACL_KILL_SGID}
     */
    void setxattr(long ino, String name, byte[] value, int flags) throws FsException;

    void removexattr(long ino, String name) throws FsException;
}
