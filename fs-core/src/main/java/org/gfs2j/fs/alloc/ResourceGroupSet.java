package org.gfs2j.fs.alloc;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.ondisk.Geometry;
import org.gfs2j.fs.ondisk.RindexEntry;

/**
 * The file system's resource groups, in rindex order (ascending address), each with its in-core
 * state ({@link Rgrp}, loaded lazily under its glock).
 */
public final class ResourceGroupSet {
    private final Geometry geo;
    private final List<Rgrp> rgrps;
    private final long totalData;

    public ResourceGroupSet(Geometry geo, List<RindexEntry> rindex) {
        this.geo = geo;
        List<Rgrp> list = new ArrayList<>();
        long total = 0;
        for (RindexEntry e : rindex) {
            if (!list.isEmpty() && list.get(list.size() - 1).index().dataEnd() > e.addr()) {
                throw new IllegalArgumentException("rindex entries overlap or are not ascending at rgrp " + e.addr());
            }
            list.add(new Rgrp(e, geo));
            total += e.data();
        }
        this.rgrps = Collections.unmodifiableList(list);
        this.totalData = total;
    }

    /** The rgrps of the file system {@code reader} reads (through the buffer cache, for a mount). */
    public static ResourceGroupSet load(FileSystemReader reader) throws IOException {
        return new ResourceGroupSet(reader.geometry(), reader.rindex());
    }

    public Geometry geometry() {
        return geo;
    }

    public List<Rgrp> all() {
        return rgrps;
    }

    public int size() {
        return rgrps.size();
    }

    public Rgrp get(int i) {
        return rgrps.get(i);
    }

    /** Σ ri_data: statfs's total. */
    public long totalDataBlocks() {
        return totalData;
    }

    /** Index of the rgrp whose data area holds {@code block}, or -1. */
    public int indexOf(long block) {
        int lo = 0;
        int hi = rgrps.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            RindexEntry e = rgrps.get(mid).index();
            if (block < e.addr()) {
                hi = mid - 1;
            } else if (block >= e.dataEnd()) {
                lo = mid + 1;
            } else {
                return e.containsData(block) ? mid : -1;
            }
        }
        return -1;
    }

    /** The rgrp whose data area holds {@code block}; IllegalArgumentException when none does. */
    public Rgrp containing(long block) {
        int i = indexOf(block);
        if (i < 0) {
            throw new IllegalArgumentException("block " + block + " is not in the data area of any resource group");
        }
        return rgrps.get(i);
    }
}
