package org.gfs2j.fuse.fs;

/**
 * Cache invalidation sent by the file system to the kernel (FUSE notifications). fs-core calls these
 * when a node loses (or demotes) a glock so that the kernel drops what it cached under it.
 *
 * <p>Threading rules (spec §6.8): never call the blocking methods from a request handler or while
 * holding a lock a handler may need — a data invalidation makes the kernel send WRITEs for dirty
 * mmapped pages and waits for their replies; INVAL_ENTRY/DELETE wait for the directory's i_rwsem,
 * which the kernel holds while it waits for LOOKUP/CREATE/... replies. The implementation sends
 * from its own thread and refuses (IllegalStateException) calls made on a request worker thread.
 *
 * <p>Each method returns true if the kernel acted, false if it had nothing cached (ENOENT), which
 * is the normal result for an inode or name the kernel never saw.
 */
public interface Notifier {
    /**
     * NOTIFY_INVAL_INODE. {@code offset < 0}: attributes (and cached ACLs) only, never blocks on
     * pages. {@code offset >= 0}: also drop the page cache from offset for {@code length} bytes
     * ({@code length <= 0} = to the end), writing back dirty mmapped pages first.
     */
    boolean invalidateInode(long nodeid, long offset, long length) throws NotifyException;

    /**
     * NOTIFY_INVAL_ENTRY: forget the cached name {@code parent/name} (positive or negative).
     * {@code expireOnly} keeps the dentry but forces a LOOKUP on next use (if the kernel supports it).
     */
    boolean invalidateEntry(long parent, String name, boolean expireOnly) throws NotifyException;

    /** NOTIFY_DELETE: {@code parent/name}, which pointed at {@code child}, was removed elsewhere. */
    boolean delete(long parent, long child, String name) throws NotifyException;

    /** NOTIFY_INC_EPOCH: every cached name is revalidated on its next use. Never blocks. */
    boolean incrementEpoch() throws NotifyException;
}
