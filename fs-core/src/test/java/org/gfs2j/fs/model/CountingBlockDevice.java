package org.gfs2j.fs.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.gfs2j.journal.device.BlockDevice;

/** Counts the reads that reach a device (below every cache): the I/O cost of an operation. */
final class CountingBlockDevice implements BlockDevice {
    private final BlockDevice inner;
    private final AtomicLong reads = new AtomicLong();

    CountingBlockDevice(BlockDevice inner) {
        this.inner = inner;
    }

    long reads() {
        return reads.get();
    }

    @Override
    public Path path() {
        return inner.path();
    }

    @Override
    public long size() {
        return inner.size();
    }

    @Override
    public int alignment() {
        return inner.alignment();
    }

    @Override
    public boolean isReadOnly() {
        return inner.isReadOnly();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        reads.incrementAndGet();
        inner.read(offset, dst);
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        inner.write(offset, src);
    }

    @Override
    public void flush() throws IOException {
        inner.flush();
    }

    @Override
    public ByteBuffer allocate(int bytes) {
        return inner.allocate(bytes);
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
