package org.gfs2j.journal.device;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A block device opened with O_DIRECT, so that what another node wrote is read from the device and
 * not from this host's page cache, and a completed write is on its way to the device.
 *
 * <p>O_DIRECT needs aligned offsets, lengths and memory. Transfers go through libc
 * (pread/pwrite, {@link NativeIo}) so the alignment is the device's logical sector size; when the
 * native library cannot be loaded, the JDK's O_DIRECT channel is used, which also insists on the
 * alignment of the file store the device node lives on (4096 on devtmpfs), and
 * {@link #alignment()} is the larger of the two. Aligned transfers go straight to the device
 * (through an aligned bounce buffer when the caller's buffer is heap or unaligned memory).
 * Unaligned reads are served by reading the covering aligned range; unaligned writes are refused,
 * because a read-modify-write could lose another node's update of the neighbouring bytes.
 */
public final class DirectBlockDevice implements BlockDevice {
    private static final int MAX_BOUNCE = 1 << 20;
    /** Buffers start on a page boundary, whatever the sector size (DMA engines may want more than 512). */
    private static final int MEMORY_ALIGNMENT = 4096;

    private final Path path;
    private final FileChannel channel;   // JDK fallback, null when native I/O is used
    private final int fd;                // native descriptor, -1 with the JDK fallback
    private final boolean readOnly;
    private final long size;
    private final int logicalSectorSize;
    private final int alignment;

    DirectBlockDevice(Path path, boolean readOnly) throws IOException {
        this.path = path;
        this.readOnly = readOnly;
        Path real = path.toRealPath();
        String dev = real.getFileName().toString();
        this.logicalSectorSize = logicalSectorSize(dev);
        long sysSize = sectors(dev);
        if (NativeIo.available() && !Boolean.getBoolean("gfs2j.jdkDirectIo")) {
            this.fd = NativeIo.open(real.toString(), readOnly);
            this.channel = null;
            this.alignment = logicalSectorSize;
            this.size = sysSize > 0 ? sysSize * 512 : sizeFromChannel(real);
        } else {
            int storeBlock = (int) Math.max(1, Files.getFileStore(real).getBlockSize());
            this.alignment = Math.max(logicalSectorSize, storeBlock);
            List<OpenOption> opts = new ArrayList<>(List.of(StandardOpenOption.READ, ExtendedOpenOption.DIRECT));
            if (!readOnly) {
                opts.add(StandardOpenOption.WRITE);
            }
            this.fd = -1;
            this.channel = FileChannel.open(real, opts.toArray(new OpenOption[0]));
            this.size = sysSize > 0 ? sysSize * 512 : channel.size();
        }
    }

    private static long sizeFromChannel(Path real) throws IOException {
        try (FileChannel c = FileChannel.open(real, StandardOpenOption.READ)) {
            return c.size();
        }
    }

    /** True when transfers go through libc rather than the JDK channel. */
    public boolean isNative() {
        return channel == null;
    }

    /** The device's logical sector size from /sys/class/block/DEV/queue (a partition: its parent's). */
    static int logicalSectorSize(String dev) throws IOException {
        Path block = Path.of("/sys/class/block", dev);
        for (Path p : new Path[] {block.resolve("queue/logical_block_size"),
                                  block.toRealPath().getParent().resolve("queue/logical_block_size")}) {
            if (Files.isReadable(p)) {
                return Integer.parseInt(Files.readString(p).trim());
            }
        }
        return 512;
    }

    /** Size in 512-byte sectors from sysfs, or -1 when sysfs does not say. */
    static long sectors(String dev) throws IOException {
        Path p = Path.of("/sys/class/block", dev, "size");
        return Files.isReadable(p) ? Long.parseLong(Files.readString(p).trim()) : -1;
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int alignment() {
        return alignment;
    }

    /** The device's logical sector size (the smallest unit it can write atomically). */
    public int logicalSectorSize() {
        return logicalSectorSize;
    }

    @Override
    public boolean isReadOnly() {
        return readOnly;
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        int len = dst.remaining();
        if (offset < 0 || offset + len > size) {
            throw new EOFException(String.format("%s: read of %d bytes at offset %d is past the end (%d bytes)",
                    path, len, offset, size));
        }
        long start = offset - offset % alignment;
        long end = roundUp(offset + len);
        if (start == offset && end == offset + len && isAligned(dst)) {
            readFully(start, dst);
            return;
        }
        // Read the covering aligned range in chunks and copy out the requested part.
        long pos = start;
        while (dst.hasRemaining()) {
            int chunk = (int) Math.min(MAX_BOUNCE, end - pos);
            ByteBuffer bounce = allocate(chunk);
            readFully(pos, bounce);
            int from = (int) Math.max(0, offset - pos);
            int n = Math.min(chunk - from, dst.remaining());
            dst.put(bounce.flip().position(from).limit(from + n));
            pos += chunk;
        }
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        if (readOnly) {
            throw new DeviceException(path + " is open read-only");
        }
        int len = src.remaining();
        if (offset < 0 || offset + len > size) {
            throw new DeviceException(String.format("%s: write of %d bytes at offset %d is past the end (%d bytes)",
                    path, len, offset, size));
        }
        if (offset % alignment != 0 || len % alignment != 0) {
            throw new DeviceException(String.format("%s: write of %d bytes at offset %d is not aligned to %d bytes"
                    + " (O_DIRECT)", path, len, offset, alignment));
        }
        if (isAligned(src)) {
            writeFully(offset, src);
            return;
        }
        long pos = offset;
        while (src.hasRemaining()) {
            int chunk = Math.min(MAX_BOUNCE, src.remaining());
            ByteBuffer bounce = allocate(chunk);
            ByteBuffer part = src.duplicate().limit(src.position() + chunk);
            bounce.put(part).flip();
            writeFully(pos, bounce);
            src.position(src.position() + chunk);
            pos += chunk;
        }
    }

    private void readFully(long pos, ByteBuffer dst) throws IOException {
        while (dst.hasRemaining()) {
            int n = channel == null ? NativeIo.pread(fd, dst, pos) : channel.read(dst, pos);
            if (n == 0 && channel == null) {
                n = -1;
            }
            if (n < 0) {
                throw new EOFException(path + ": unexpected end of device at offset " + pos);
            }
            pos += n;
        }
    }

    private void writeFully(long pos, ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            pos += channel == null ? NativeIo.pwrite(fd, src, pos) : channel.write(src, pos);
        }
    }

    private boolean isAligned(ByteBuffer buf) {
        return buf.isDirect() && buf.alignmentOffset(buf.position(), Math.max(alignment, 512)) == 0
                && buf.remaining() % alignment == 0;
    }

    private long roundUp(long n) {
        return (n + alignment - 1) / alignment * alignment;
    }

    @Override
    public void flush() throws IOException {
        if (!readOnly) {
            if (channel == null) {
                NativeIo.fdatasync(fd);
            } else {
                channel.force(false);
            }
        }
    }

    /** A direct buffer whose address is aligned for O_DIRECT. */
    @Override
    public ByteBuffer allocate(int bytes) {
        int memAlign = Math.max(alignment, MEMORY_ALIGNMENT);
        // alignedSlice also rounds the end down to the alignment, so allocate whole units plus one.
        int units = (bytes + memAlign - 1) / memAlign + 1;
        return ByteBuffer.allocateDirect(units * memAlign).alignedSlice(memAlign).limit(bytes)
                .slice().order(ByteOrder.BIG_ENDIAN);
    }

    @Override
    public void close() throws IOException {
        if (channel == null) {
            NativeIo.close(fd);
        } else {
            channel.close();
        }
    }
}
