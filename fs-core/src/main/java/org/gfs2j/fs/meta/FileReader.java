package org.gfs2j.fs.meta;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.ondisk.Geometry;
import org.gfs2j.journal.device.BlockDevice;
import org.gfs2j.journal.format.CorruptMetadataException;
import org.gfs2j.journal.format.MetaHeader;
import org.gfs2j.journal.format.MetaType;

/**
 * Reads the content of a dinode (regular file, symlink, directory hash table, system file):
 * stuffed data from the dinode block, otherwise through its {@link FileMap}, holes as zeros.
 * Content is streamed block by block, never buffered whole unless the caller asks for a bounded
 * array ({@link #readAll(int)}).
 */
public final class FileReader {
    private static final byte[] ZEROS = new byte[1 << 16];
    /** Largest bounce buffer for devices that need aligned transfers (O_DIRECT). */
    private static final int BOUNCE = 1 << 20;

    private final Pointers ptrs;
    private final FileMap map;
    private final Inode inode;

    public FileReader(Pointers ptrs, FileMap map) {
        this.ptrs = ptrs;
        this.map = map;
        this.inode = map.inode();
    }

    public static FileReader of(Pointers ptrs, Geometry geo, Inode inode) throws CorruptMetadataException {
        return new FileReader(ptrs, FileMap.of(ptrs, geo, inode));
    }

    public long size() {
        return inode.dinode().size();
    }

    public FileMap map() {
        return map;
    }

    /** Up to {@code len} bytes from {@code offset} (fewer at the end of the file). */
    public byte[] read(long offset, int len) throws IOException {
        long n = Math.max(0, Math.min(len, size() - offset));
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) n);
        copyTo(offset, n, out);
        return out.toByteArray();
    }

    /** The whole content; corruption if it is larger than {@code maxBytes}. */
    public byte[] readAll(int maxBytes) throws IOException {
        if (Long.compareUnsigned(size(), maxBytes) > 0) {
            throw new CorruptMetadataException(inode.addr(), "dinode", "di_size",
                    Long.toUnsignedString(size()) + " bytes, at most " + maxBytes + " expected for this file");
        }
        return read(0, (int) size());
    }

    /** Streams the whole content to {@code out}. */
    public void copyTo(OutputStream out) throws IOException {
        copyTo(0, size(), out);
    }

    /** Bytes [offset, offset+len) into {@code dst}, which has room for them (holes as zeros). */
    public void copyTo(long offset, long len, ByteBuffer dst) throws IOException {
        copyTo(offset, len, new ByteBufferOutput(dst));
    }

    /** Streams {@code len} bytes from {@code offset} (clipped to the file size) to {@code out}. */
    public void copyTo(long offset, long len, OutputStream out) throws IOException {
        long end = Math.min(size(), offset + len);
        if (offset < 0 || offset >= end) {
            return;
        }
        if (map.isStuffed()) {
            ByteBuffer data = inode.dinode().stuffedData(inode.block());
            byte[] bytes = new byte[(int) (end - offset)];
            data.get((int) offset, bytes);
            out.write(bytes);
            return;
        }
        int unit = map.unitSize();
        long[] pos = {offset};
        map.forEachExtent(offset / unit, (end + unit - 1) / unit, e -> {
            long extStart = e.logical() * unit;
            zeros(out, Math.max(0, Math.min(extStart, end) - pos[0]));
            pos[0] = Math.max(pos[0], extStart);
            for (long i = 0; i < e.length() && pos[0] < end; i++) {
                long blockStart = (e.logical() + i) * unit;
                if (blockStart + unit <= pos[0]) {
                    continue;
                }
                ByteBuffer b = block(e.device() + i);
                int from = (int) (pos[0] - blockStart);
                int to = (int) Math.min(unit, end - blockStart);
                byte[] chunk = new byte[to - from];
                b.get(payloadOffset() + from, chunk);
                out.write(chunk);
                pos[0] = blockStart + to;
            }
        });
        zeros(out, end - pos[0]);
    }

    /**
     * Reads up to {@code len} bytes from {@code offset} (fewer at the end of the file) into
     * {@code dst} at its position, and returns how many. Unlike {@link #copyTo} the data blocks of a
     * regular file are not read block by block through the metadata {@link BlockSource}: every run
     * of device-contiguous blocks is one read from {@code data} straight into {@code dst} (pointer
     * blocks still come through the source, holes are zeros). Journaled (JD) content and stuffed
     * files are copied as {@link #copyTo} does.
     *
     * <p>This is only right where file data blocks are written in place and never cached by the
     * block source: the read-write mount ({@code FileData} writes data to the device before it
     * commits the transaction that maps it).
     */
    public int read(long offset, int len, ByteBuffer dst, BlockDevice data) throws IOException {
        long end = Math.min(size(), offset + Math.min(len, dst.remaining()));
        if (offset < 0 || offset >= end) {
            return 0;
        }
        int start = dst.position();
        if (map.isStuffed() || map.isJournaled()) {
            copyTo(offset, end - offset, dst);
            return dst.position() - start;
        }
        int unit = map.unitSize();
        long[] pos = {offset};
        map.forEachExtent(offset / unit, (end + unit - 1) / unit, e -> {
            long extStart = e.logical() * unit;
            long extEnd = Math.min(end, (e.logical() + e.length()) * unit);
            fill(dst, Math.max(0, Math.min(extStart, end) - pos[0]));
            pos[0] = Math.max(pos[0], extStart);
            if (pos[0] < extEnd) {
                readDevice(data, e.device() * (long) unit + (pos[0] - extStart), dst, (int) (extEnd - pos[0]));
                pos[0] = extEnd;
            }
        });
        fill(dst, end - pos[0]);
        return dst.position() - start;
    }

    /** {@code n} bytes of the device at byte {@code at} into {@code dst}; aligned through a bounce buffer if the device needs it. */
    private static void readDevice(BlockDevice data, long at, ByteBuffer dst, int n) throws IOException {
        int align = data.alignment();
        if (align <= 1) {
            ByteBuffer target = dst.slice(dst.position(), n);
            data.read(at, target);
            dst.position(dst.position() + n);
            return;
        }
        while (n > 0) {
            long first = Math.floorDiv(at, align) * align;
            int lead = (int) (at - first);
            int chunk = Math.min(n, BOUNCE - lead);
            int span = (int) ((lead + chunk + align - 1) / align * (long) align);
            ByteBuffer bounce = data.allocate(span);
            data.read(first, bounce);
            dst.put(bounce.flip().position(lead).limit(lead + chunk));
            at += chunk;
            n -= chunk;
        }
    }

    private static void fill(ByteBuffer dst, long n) {
        while (n > 0) {
            int k = (int) Math.min(n, ZEROS.length);
            dst.put(ZEROS, 0, k);
            n -= k;
        }
    }

    /** An OutputStream over a buffer the caller sized (the read never passes its remaining bytes). */
    private static final class ByteBufferOutput extends OutputStream {
        private final ByteBuffer dst;

        ByteBufferOutput(ByteBuffer dst) {
            this.dst = dst;
        }

        @Override
        public void write(int b) {
            dst.put((byte) b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            dst.put(b, off, len);
        }
    }

    private int payloadOffset() {
        return map.isJournaled() ? MetaHeader.SIZE : 0;
    }

    private ByteBuffer block(long device) throws IOException {
        ByteBuffer b = ptrs.source().read(device);
        if (map.isJournaled()) {
            MetaHeader.check(b, device, MetaType.JD);
        }
        return b;
    }

    private static void zeros(OutputStream out, long n) throws IOException {
        while (n > 0) {
            int k = (int) Math.min(n, ZEROS.length);
            out.write(ZEROS, 0, k);
            n -= k;
        }
    }

    /** True for the file types whose content this reader serves. */
    public static boolean hasContent(Dinode d) {
        return d.isRegular() || d.isSymlink() || d.isDirectory();
    }
}
