package org.gfs2j.fuse.memfs;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;

/**
 * File contents as fixed-size chunks; a chunk that was never written (or was punched out) is a
 * hole and reads as zeros. Not thread-safe: the owning file system serialises access.
 */
final class SparseData {
    static final int CHUNK = 64 * 1024;

    /** Chunks allocated by all files of one file system (for statfs and ENOSPC without a scan). */
    static final class Usage {
        long chunks;
    }

    private final TreeMap<Long, byte[]> chunks = new TreeMap<>();
    private final Usage usage;
    private long size;

    SparseData(Usage usage) {
        this.usage = usage;
    }

    private byte[] chunk(long idx) {
        byte[] c = chunks.get(idx);
        if (c == null) {
            c = new byte[CHUNK];
            chunks.put(idx, c);
            usage.chunks++;
        }
        return c;
    }

    /** Gives back this file's storage (the file is being freed). */
    void free() {
        usage.chunks -= chunks.size();
        chunks.clear();
    }

    long size() {
        return size;
    }

    int allocatedChunks() {
        return chunks.size();
    }

    /** Bytes of storage held (for st_blocks and statfs). */
    long allocatedBytes() {
        return (long) chunks.size() * CHUNK;
    }

    /** Copies up to {@code len} bytes at {@code off} into {@code dst}; returns the count (short at EOF). */
    int read(long off, int len, ByteBuffer dst) {
        if (off >= size) {
            return 0;
        }
        int n = (int) Math.min(len, size - off);
        int done = 0;
        while (done < n) {
            long pos = off + done;
            long idx = pos / CHUNK;
            int in = (int) (pos % CHUNK);
            int step = Math.min(n - done, CHUNK - in);
            byte[] c = chunks.get(idx);
            if (c == null) {
                for (int i = 0; i < step; i++) {
                    dst.put((byte) 0);
                }
            } else {
                dst.put(c, in, step);
            }
            done += step;
        }
        return n;
    }

    /** Writes all of {@code src} at {@code off}, extending the size. */
    void write(long off, ByteBuffer src) {
        int n = src.remaining();
        int done = 0;
        while (done < n) {
            long pos = off + done;
            long idx = pos / CHUNK;
            int in = (int) (pos % CHUNK);
            int step = Math.min(n - done, CHUNK - in);
            byte[] c = chunk(idx);
            src.get(c, in, step);
            done += step;
        }
        size = Math.max(size, off + n);
    }

    /** Sets the size; data beyond it is dropped, so a later extension reads zeros. */
    void truncate(long newSize) {
        if (newSize < size) {
            long firstGone = (newSize + CHUNK - 1) / CHUNK;
            java.util.SortedMap<Long, byte[]> gone = chunks.tailMap(firstGone, true);
            usage.chunks -= gone.size();
            gone.clear();
            int tail = (int) (newSize % CHUNK);
            byte[] last = chunks.get(newSize / CHUNK);
            if (last != null && tail != 0) {
                java.util.Arrays.fill(last, tail, CHUNK, (byte) 0);
            }
        }
        size = newSize;
    }

    /** Zeroes [off, off+len) and frees the chunks it covers entirely. Size unchanged. */
    void punch(long off, long len) {
        long end = Math.min(size, off + len);
        if (end <= off) {
            return;
        }
        // Visit only chunks that exist: the range may span terabytes of holes.
        for (Long idx : new java.util.ArrayList<>(chunks.subMap(off / CHUNK, true, (end - 1) / CHUNK, true).keySet())) {
            long cs = idx * CHUNK;
            int from = (int) (Math.max(off, cs) - cs);
            int to = (int) (Math.min(end, cs + CHUNK) - cs);
            if (from == 0 && to == CHUNK) {
                chunks.remove(idx);
                usage.chunks--;
            } else {
                java.util.Arrays.fill(chunks.get(idx), from, to, (byte) 0);
            }
        }
    }

    /** Reserves storage for [off, off+len) (zeros where nothing was written); extends unless keepSize. */
    void allocate(long off, long len, boolean keepSize) {
        for (long idx = off / CHUNK; idx <= (off + len - 1) / CHUNK; idx++) {
            chunk(idx);
        }
        if (!keepSize) {
            size = Math.max(size, off + len);
        }
    }

    /** Chunks that would be newly allocated for [off, off+len) — for space checks. */
    long newChunksFor(long off, long len) {
        if (len <= 0) {
            return 0;
        }
        long first = off / CHUNK;
        long last = (off + len - 1) / CHUNK;
        long present = chunks.subMap(first, true, last, true).size();
        return last - first + 1 - present;
    }

    /** First data offset at or after {@code off}, or -1 if none before the end. */
    long seekData(long off) {
        if (off >= size) {
            return -1;
        }
        Map.Entry<Long, byte[]> e = chunks.ceilingEntry(off / CHUNK);
        if (e == null) {
            return -1;
        }
        long pos = Math.max(off, e.getKey() * CHUNK);
        return pos < size ? pos : -1;
    }

    /** First hole offset at or after {@code off} (the end of the file counts as a hole), or -1 past EOF. */
    long seekHole(long off) {
        if (off >= size) {
            return -1;
        }
        long idx = off / CHUNK;
        while (chunks.containsKey(idx)) {
            idx++;
        }
        return Math.min(size, Math.max(off, idx * CHUNK));
    }
}
