package org.gfs2j.fuse.session;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.gfs2j.fuse.nativeio.Native;
import org.gfs2j.fuse.nativeio.NativeException;
import org.gfs2j.fuse.protocol.Errno;

/**
 * A /dev/fuse file descriptor, read and written with raw read(2)/write(2) on direct buffers
 * (never a FileChannel: an interrupted channel would close the fd and abort the mount).
 */
final class DevFuseChannel implements Channel {
    private final int fd;
    private volatile boolean closed;

    DevFuseChannel(int fd) {
        this.fd = fd;
    }

    /** Opens /dev/fuse (unattached: mount(2) or {@link #cloneOf} attaches it). */
    static DevFuseChannel open() throws NativeException {
        return new DevFuseChannel(Native.open("/dev/fuse", Native.O_RDWR | Native.O_CLOEXEC));
    }

    /** A fresh descriptor attached to the same connection as {@code attached} (FUSE_DEV_IOC_CLONE). */
    static DevFuseChannel cloneOf(DevFuseChannel attached) throws NativeException {
        DevFuseChannel c = open();
        try {
            Native.cloneFuseFd(c.fd, attached.fd);
        } catch (NativeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    int fd() {
        return fd;
    }

    @Override
    public int read(ByteBuffer buf) throws IOException {
        if (closed) {
            throw new ChannelClosedException("fd " + fd + " closed");
        }
        try {
            // jnr-ffi passes a direct buffer's address plus its position: always start at 0.
            return Native.read(fd, buf.duplicate().clear(), buf.capacity());
        } catch (NativeException e) {
            switch (e.errno()) {
                case Errno.EINTR, Errno.ENOENT, Errno.EAGAIN:
                    return 0;
                case Errno.ENODEV, Errno.ECONNABORTED:
                    throw new ChannelClosedException("FUSE connection ended: " + Errno.describe(e.errno()));
                default:
                    throw e;
            }
        }
    }

    @Override
    public int write(ByteBuffer buf, int len) {
        if (closed) {
            return Errno.EBADF;
        }
        try {
            int n = Native.write(fd, buf.duplicate().clear(), len);
            return n == len ? 0 : Errno.EIO;
        } catch (NativeException e) {
            return e.errno();
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Native.close(fd);
        }
    }
}
