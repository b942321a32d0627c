/**
 * The file system's API by inode number ({@link org.gfs2j.fs.vfs.Gfs2Vfs}), independent of how it
 * is mounted: fuse-mount adapts it to the FUSE protocol. {@link org.gfs2j.fs.vfs.ReadOnlyGfs2Vfs}
 * serves a GFS2 device read-only over the meta read path with a bounded block cache
 * ({@link org.gfs2j.fs.vfs.CachingBlockSource}); errors are {@link org.gfs2j.fs.vfs.FsException}s
 * carrying an errno.
 */
package org.gfs2j.fs.vfs;
