package org.gfs2j.fs.model;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * A file's content as POSIX defines it: a size and the bytes written, in 4 KiB pages; everything
 * never written (holes, space past a truncate-up) reads as zeros. Cheap for files with far, sparse
 * offsets (a page exists only where a write landed).
 */
final class SparseBytes {
    static final int PAGE = 4096;

    private final TreeMap<Long, byte[]> pages = new TreeMap<>();
    private long size;

    long size() {
        return size;
    }

    /** Page index → page bytes for every page a write touched (below size). */
    Map<Long, byte[]> pages() {
        return pages;
    }

    void write(long offset, byte[] data) {
        if (data.length == 0) {
            return; // write(2) of nothing changes nothing, not even the size
        }
        long pos = offset;
        int done = 0;
        while (done < data.length) {
            long idx = pos / PAGE;
            int in = (int) (pos % PAGE);
            int n = Math.min(PAGE - in, data.length - done);
            System.arraycopy(data, done, pages.computeIfAbsent(idx, k -> new byte[PAGE]), in, n);
            done += n;
            pos += n;
        }
        size = Math.max(size, offset + data.length);
    }

    /** Truncation: bytes past {@code newSize} are gone (zeros if the file grows again). */
    void truncate(long newSize) {
        if (newSize < size) {
            long firstDropped = (newSize + PAGE - 1) / PAGE;
            pages.tailMap(firstDropped, true).clear();
            int tail = (int) (newSize % PAGE);
            byte[] last = pages.get(newSize / PAGE);
            if (tail != 0 && last != null) {
                Arrays.fill(last, tail, PAGE, (byte) 0);
            }
        }
        size = newSize;
    }

    /** What read(2) returns: at most {@code len} bytes, fewer at end of file. */
    byte[] read(long offset, int len) {
        if (offset >= size) {
            return new byte[0];
        }
        int n = (int) Math.min(len, size - offset);
        byte[] out = new byte[n];
        long pos = offset;
        int done = 0;
        while (done < n) {
            long idx = pos / PAGE;
            int in = (int) (pos % PAGE);
            int k = Math.min(PAGE - in, n - done);
            byte[] p = pages.get(idx);
            if (p != null) {
                System.arraycopy(p, in, out, done, k);
            }
            done += k;
            pos += k;
        }
        return out;
    }
}
