package org.gfs2j.journal.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gfs2j.journal.device.BlockDevice;
import org.gfs2j.journal.device.DeviceException;

/**
 * An in-memory device that records every write and flush, so tests can rebuild the device as a
 * crash after any write (optionally torn) would have left it.
 */
public final class MemoryDevice implements BlockDevice {
    /** One recorded write, or a flush when {@code data} is null. */
    public record Write(long offset, byte[] data) {
        public boolean isFlush() {
            return data == null;
        }
    }

    private final byte[] bytes;
    private final List<Write> writes = new ArrayList<>();
    private boolean recording;

    public MemoryDevice(long size) {
        this.bytes = new byte[Math.toIntExact(size)];
    }

    public MemoryDevice(byte[] contents) {
        this.bytes = contents.clone();
    }

    /** Starts recording writes from now on (forgetting earlier ones). */
    public void record() {
        writes.clear();
        recording = true;
    }

    public List<Write> writes() {
        return writes;
    }

    public byte[] contents() {
        return bytes.clone();
    }

    /**
     * The device as it was when recording started, plus the first {@code count} recorded writes,
     * plus the first {@code tornBytes} bytes of write number {@code count} (0 for none).
     */
    public static MemoryDevice replay(byte[] base, List<Write> writes, int count, int tornBytes) {
        MemoryDevice d = new MemoryDevice(base);
        for (int i = 0; i < count; i++) {
            Write w = writes.get(i);
            if (!w.isFlush()) {
                System.arraycopy(w.data(), 0, d.bytes, (int) w.offset(), w.data().length);
            }
        }
        if (tornBytes > 0 && count < writes.size() && !writes.get(count).isFlush()) {
            Write w = writes.get(count);
            System.arraycopy(w.data(), 0, d.bytes, (int) w.offset(), Math.min(tornBytes, w.data().length));
        }
        return d;
    }

    @Override
    public Path path() {
        return Path.of("memory");
    }

    @Override
    public long size() {
        return bytes.length;
    }

    @Override
    public int alignment() {
        return 1;
    }

    @Override
    public boolean isReadOnly() {
        return false;
    }

    @Override
    public synchronized void read(long offset, ByteBuffer dst) throws IOException {
        if (offset < 0 || offset + dst.remaining() > bytes.length) {
            throw new DeviceException("read past the end at " + offset);
        }
        dst.put(bytes, (int) offset, dst.remaining());
    }

    @Override
    public synchronized void write(long offset, ByteBuffer src) throws IOException {
        if (offset < 0 || offset + src.remaining() > bytes.length) {
            throw new DeviceException("write past the end at " + offset);
        }
        int n = src.remaining();
        if (recording) {
            byte[] copy = new byte[n];
            src.duplicate().get(copy);
            writes.add(new Write(offset, copy));
        }
        src.get(bytes, (int) offset, n);
    }

    @Override
    public synchronized void flush() {
        if (recording) {
            writes.add(new Write(-1, null));
        }
    }

    @Override
    public ByteBuffer allocate(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.BIG_ENDIAN);
    }

    @Override
    public void close() {
    }
}
