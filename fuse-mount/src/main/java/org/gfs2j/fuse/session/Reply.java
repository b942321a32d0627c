package org.gfs2j.fuse.session;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.gfs2j.fuse.protocol.Errno;
import org.gfs2j.fuse.protocol.Fuse;
import org.gfs2j.fuse.protocol.Replies;

/**
 * The reply to one request: a buffer whose body starts after the 16-byte out-header, the channel
 * the request came from, and a guard that exactly one message is sent.
 */
final class Reply {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Reply.class);
    private final Channel channel;
    private final ByteBuffer buf;
    private final long unique;
    private boolean sent;

    Reply(Channel channel, ByteBuffer buf, long unique) {
        this.channel = channel;
        this.buf = buf.order(ByteOrder.LITTLE_ENDIAN);
        this.unique = unique;
        buf.clear().position(Fuse.OUT_HEADER_SIZE);
    }

    /** The body buffer, positioned where the next reply byte goes. */
    ByteBuffer body() {
        return buf;
    }

    /** Room left for the body. */
    int room() {
        return buf.capacity() - buf.position();
    }

    boolean sent() {
        return sent;
    }

    /** Sends the header plus what was put into {@link #body()}; returns the write's errno (0 = ok). */
    int send() {
        if (sent) {
            throw new IllegalStateException("second reply to unique " + unique);
        }
        sent = true;
        int len = buf.position();
        Replies.header(buf, len, 0, unique);
        int w = channel.write(buf, len);
        if (w != 0 && w != Errno.ENOENT) {
            // ENOENT is normal (interrupted or aborted meanwhile); anything else means a reply the
            // kernel found malformed (wrong size, bad attributes): the caller got EIO.
            LOG.warn("reply of {} bytes to unique {} refused by the kernel: {}", len, unique, Errno.describe(w));
        }
        return w;
    }

    int error(int errno) {
        if (sent) {
            throw new IllegalStateException("second reply to unique " + unique);
        }
        sent = true;
        if (errno <= 0 || errno > 511) {
            errno = Errno.EIO;
        }
        Replies.header(buf, Fuse.OUT_HEADER_SIZE, -errno, unique);
        return channel.write(buf, Fuse.OUT_HEADER_SIZE);
    }
}
