/**
 * An in-memory POSIX file system implementing {@link org.gfs2j.fuse.fs.FileSystem}: the test and
 * benchmark peer of the FUSE layer, independent of fs-core.
 */
package org.gfs2j.fuse.memfs;
