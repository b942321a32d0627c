package org.gfs2j.fuse.session;

import java.nio.ByteBuffer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.ToIntFunction;

import org.gfs2j.fuse.fs.ConnectionInfo;
import org.gfs2j.fuse.fs.Notifier;
import org.gfs2j.fuse.fs.NotifyException;
import org.gfs2j.fuse.protocol.Errno;
import org.gfs2j.fuse.protocol.Fuse;
import org.gfs2j.fuse.protocol.Notifications;

/**
 * Sends notifications from one dedicated thread over its own descriptor of the connection, so that
 * a notification never runs on a request worker (spec §6.8). Callers block until the kernel has
 * processed it (for INVAL_INODE with data: until dirty pages were written back).
 */
final class SessionNotifier implements Notifier {
    private final Channel channel;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(Fuse.OUT_HEADER_SIZE + 32 + 1024 + 8)
            .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fuse-notify");
        t.setDaemon(true);
        return t;
    });
    private volatile ConnectionInfo connection;

    SessionNotifier(Channel channel) {
        this.channel = channel;
    }

    void connected(ConnectionInfo info) {
        this.connection = info;
    }

    @Override
    public boolean invalidateInode(long nodeid, long offset, long length) throws NotifyException {
        return send("INVAL_INODE " + nodeid, b -> Notifications.invalInode(b, nodeid, offset, length));
    }

    @Override
    public boolean invalidateEntry(long parent, String name, boolean expireOnly) throws NotifyException {
        ConnectionInfo c = connection;
        int flags = expireOnly && c != null && (c.kernelFlags() & Fuse.Init.HAS_EXPIRE_ONLY) != 0 ? Fuse.EXPIRE_ONLY : 0;
        return send("INVAL_ENTRY " + parent + "/" + name, b -> Notifications.invalEntry(b, parent, name, flags));
    }

    @Override
    public boolean delete(long parent, long child, String name) throws NotifyException {
        return send("DELETE " + parent + "/" + name, b -> Notifications.delete(b, parent, child, name));
    }

    @Override
    public boolean incrementEpoch() throws NotifyException {
        return send("INC_EPOCH", Notifications::incEpoch);
    }

    private boolean send(String what, ToIntFunction<ByteBuffer> encoder) throws NotifyException {
        if (Dispatcher.onHandlerThread()) {
            throw new IllegalStateException(what + ": notifications must not be sent from a request handler "
                    + "(the kernel may wait for this very thread); use a separate thread");
        }
        Future<Integer> f;
        try {
            f = thread.submit(() -> {
                int len = encoder.applyAsInt(buf);
                return channel.write(buf, len);
            });
        } catch (RejectedExecutionException e) {
            throw new NotifyException(what + ": session closed", Errno.ENOTCONN);
        }
        int errno;
        try {
            errno = f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotifyException(what + ": interrupted while waiting for the kernel", Errno.EINTR);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new NotifyException(what + ": " + cause, Errno.EIO);
        }
        if (errno == 0) {
            return true;
        }
        if (errno == Errno.ENOENT) {
            return false;
        }
        throw new NotifyException(what + " refused by the kernel: " + Errno.describe(errno), errno);
    }

    void close() {
        thread.shutdownNow();
    }
}
