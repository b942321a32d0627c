/**
 * The handful of C library calls (jnr-ffi) the FUSE server needs: open, close, read, write, ioctl,
 * mount, umount2, and for mounting through fusermount3 socketpair, posix_spawnp, recvmsg, waitpid.
 */
package org.gfs2j.fuse.nativeio;
