package org.gfs2j.journal.log;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * Where a journal's blocks are on the device: journal block index 0..J-1 mapped to absolute
 * device blocks by extents. The caller (fs-core, from the journalN dinode's tree; tests, from a
 * fresh mkfs image) provides them; a journal has no holes, so the extents must tile 0..J-1.
 */
public final class JournalExtents {
    /** {@code length} journal blocks starting at {@code journalStart} live at {@code deviceStart}. */
    public record Extent(long journalStart, long deviceStart, long length) {
        public Extent {
            if (journalStart < 0 || deviceStart < 0 || length <= 0) {
                throw new IllegalArgumentException("bad journal extent " + journalStart + "/" + deviceStart + "/" + length);
            }
        }
    }

    /** A run of journal blocks that is contiguous on the device. */
    public record Run(long journalStart, long deviceStart, int length) {
    }

    private final List<Extent> extents;
    private final long size;

    public JournalExtents(List<Extent> extents) {
        List<Extent> sorted = new ArrayList<>(extents);
        sorted.sort(Comparator.comparingLong(Extent::journalStart));
        long next = 0;
        for (Extent e : sorted) {
            if (e.journalStart() != next) {
                throw new IllegalArgumentException("journal extents leave a hole or overlap at journal block " + next
                        + " (next extent starts at " + e.journalStart() + ")");
            }
            next += e.length();
        }
        if (next == 0) {
            throw new IllegalArgumentException("a journal needs at least one extent");
        }
        if (next > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("journal of " + next + " blocks exceeds the 32-bit lh_blkno range");
        }
        this.extents = Collections.unmodifiableList(sorted);
        this.size = next;
    }

    /** One contiguous extent, as mkfs.gfs2 lays journals out. */
    public static JournalExtents contiguous(long deviceStart, long blocks) {
        return new JournalExtents(List.of(new Extent(0, deviceStart, blocks)));
    }

    /** J, the number of journal blocks. */
    public long size() {
        return size;
    }

    public List<Extent> extents() {
        return extents;
    }

    /** The absolute device block of journal block {@code index} (0 <= index < J). */
    public long deviceBlock(long index) {
        Extent e = extentOf(index);
        return e.deviceStart() + (index - e.journalStart());
    }

    private Extent extentOf(long index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("journal block " + index + " outside 0.." + (size - 1));
        }
        int lo = 0;
        int hi = extents.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (extents.get(mid).journalStart() <= index) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return extents.get(lo);
    }

    /**
     * Splits {@code count} blocks starting at ring position {@code start} (wrapping at J) into runs
     * that are each contiguous on the device.
     */
    public List<Run> runs(long start, long count) {
        if (count > size) {
            throw new IllegalArgumentException(count + " blocks do not fit in a journal of " + size);
        }
        List<Run> out = new ArrayList<>();
        long pos = Math.floorMod(start, size);
        long left = count;
        while (left > 0) {
            Extent e = extentOf(pos);
            long inExtent = e.journalStart() + e.length() - pos;
            int n = (int) Math.min(Math.min(left, inExtent), Integer.MAX_VALUE);
            out.add(new Run(pos, e.deviceStart() + (pos - e.journalStart()), n));
            left -= n;
            pos = (pos + n) % size;
        }
        return out;
    }

    /** True when absolute block {@code block} belongs to this journal. */
    public boolean containsDeviceBlock(long block) {
        for (Extent e : extents) {
            if (block >= e.deviceStart() && block < e.deviceStart() + e.length()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "JournalExtents" + extents;
    }
}
