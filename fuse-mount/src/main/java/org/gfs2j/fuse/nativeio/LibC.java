package org.gfs2j.fuse.nativeio;

import java.nio.ByteBuffer;

import jnr.ffi.annotations.SaveError;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The few C library calls the FUSE server needs. Deliberately tiny: everything else stays in Java.
 * Buffers passed to read/write must be direct (their address is handed to the kernel).
 */
public interface LibC {
    @SaveError int open(String path, int flags);

    @SaveError int close(int fd);

    @SaveError @ssize_t long read(int fd, ByteBuffer buf, @size_t long count);

    @SaveError @ssize_t long write(int fd, ByteBuffer buf, @size_t long count);

    @SaveError int ioctl(int fd, long request, IntByReference arg);

    @SaveError int mount(String source, String target, String fstype, long flags, String data);

    @SaveError int umount2(String target, int flags);
}
