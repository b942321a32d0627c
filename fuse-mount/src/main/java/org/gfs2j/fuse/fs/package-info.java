/**
 * The file-system layer: {@link org.gfs2j.fuse.fs.FileSystem} (one method per operation, by node
 * id, ENOSYS by default), the value types it exchanges, the {@link org.gfs2j.fuse.fs.Notifier} for
 * cache invalidation and the POSIX ACL rules. This is what a file system implements to be mounted.
 */
package org.gfs2j.fuse.fs;
