package org.gfs2j.fs.alloc;

/**
 * An in-memory claim on a run of free blocks of one rgrp for one file (the kernel's multi-block
 * reservation): other allocations skip the run, so a file growing in several transactions gets
 * contiguous blocks. Nothing is written to disk for it; the bitmap changes only when blocks are
 * allocated from it. {@link Allocator#release} returns the unused rest.
 */
public final class Reservation {
    final Rgrp rgrp;
    /** Next block to hand out and the end of the run (exclusive); guarded by the rgrp's monitor. */
    long next;
    long end;
    boolean released;

    Reservation(Rgrp rgrp, long start, long length) {
        this.rgrp = rgrp;
        this.next = start;
        this.end = start + length;
    }

    /** Blocks still reserved. */
    public long remaining() {
        synchronized (rgrp) {
            return released ? 0 : end - next;
        }
    }

    /** The next block this reservation would hand out. */
    public long next() {
        synchronized (rgrp) {
            return next;
        }
    }

    public long rgrpAddr() {
        return rgrp.addr();
    }

    @Override
    public String toString() {
        synchronized (rgrp) {
            return "reservation " + next + ".." + end + " in rgrp " + rgrp.addr() + (released ? " (released)" : "");
        }
    }
}
