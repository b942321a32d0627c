/**
 * Advisory file locks behind one interface, {@link org.gfs2j.fuse.lock.LockTable}: the local
 * implementation now, a cluster-wide one later.
 */
package org.gfs2j.fuse.lock;
