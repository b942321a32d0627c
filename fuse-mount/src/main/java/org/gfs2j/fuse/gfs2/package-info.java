/**
 * Mounting GFS2 through FUSE: {@link org.gfs2j.fuse.gfs2.Gfs2FuseFileSystem} adapts fs-core's
 * {@link org.gfs2j.fs.vfs.Gfs2Vfs} to {@link org.gfs2j.fuse.fs.FileSystem}.
 */
package org.gfs2j.fuse.gfs2;
