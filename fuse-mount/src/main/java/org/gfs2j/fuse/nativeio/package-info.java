/** The handful of C library calls (jnr-ffi) the FUSE server needs: open, close, read, write, ioctl, mount, umount2. */
package org.gfs2j.fuse.nativeio;
