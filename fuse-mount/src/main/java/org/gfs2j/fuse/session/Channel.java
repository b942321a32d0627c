package org.gfs2j.fuse.session;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One /dev/fuse descriptor as the dispatcher sees it (injectable so the dispatcher can be tested
 * with hand-built requests). A reply must be written to the channel its request was read from.
 */
public interface Channel extends AutoCloseable {
    /**
     * Blocks until one request is read into {@code buf} from position 0; returns its length.
     * Throws {@link ChannelClosedException} when the connection is gone (ENODEV/ECONNABORTED).
     * Returns 0 for a transient condition the caller should simply retry (EINTR, ENOENT).
     */
    int read(ByteBuffer buf) throws IOException;

    /**
     * Writes one complete message of {@code len} bytes from position 0 of {@code buf}.
     * Returns 0, or the errno the kernel answered (ENOENT: nobody waits for this unique any more).
     */
    int write(ByteBuffer buf, int len);

    @Override
    void close();
}
