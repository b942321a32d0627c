package org.gfs2j.fuse.session;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** Records every message the dispatcher writes; can be told to refuse writes with an errno. */
final class FakeChannel implements Channel {
    /** One written message, with the id of the thread that wrote it. */
    record Msg(int len, int error, long unique, ByteBuffer body, long writerThread) {
    }

    final List<Msg> written = new ArrayList<>();
    volatile int failWith;

    @Override
    public int read(ByteBuffer buf) {
        throw new UnsupportedOperationException();
    }

    @Override
    public synchronized int write(ByteBuffer buf, int len) {
        ByteBuffer b = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        byte[] copy = new byte[len];
        b.position(0);
        b.get(copy);
        ByteBuffer c = ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer body = ByteBuffer.wrap(copy, 16, len - 16).slice().order(ByteOrder.LITTLE_ENDIAN);
        written.add(new Msg(c.getInt(0), c.getInt(4), c.getLong(8), body, Thread.currentThread().getId()));
        notifyAll();
        return failWith;
    }

    synchronized Msg last() {
        return written.get(written.size() - 1);
    }

    /** The messages from index {@code from} on, copied under the lock (asynchronous replies may be appending). */
    synchronized List<Msg> since(int from) {
        return new ArrayList<>(written.subList(from, written.size()));
    }

    synchronized int count() {
        return written.size();
    }

    synchronized Msg await(int count, long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (written.size() < count && System.currentTimeMillis() < end) {
            wait(Math.max(1, end - System.currentTimeMillis()));
        }
        return written.size() >= count ? written.get(count - 1) : null;
    }

    @Override
    public void close() {
    }
}
