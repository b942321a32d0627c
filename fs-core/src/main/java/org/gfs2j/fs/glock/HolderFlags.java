package org.gfs2j.fs.glock;

/**
 * Holder flags, with GFS2's values where GFS2 has the flag (spec 4.4).
 */
public final class HolderFlags {
    /** Fail instead of waiting (DLM NOQUEUE). */
    public static final int TRY = 0x1;
    /** Fail instead of waiting, but give the blocking holders one callback (NOQUEUE + NOQUEUEBAST). */
    public static final int TRY_1CB = 0x2;
    /** May be granted while locks are held back for journal recovery (spec 4.12). */
    public static final int NOEXP = 0x4;
    /** SH or DF, whichever can be had (DLM ALTCW / ALTPR). */
    public static final int ANY = 0x8;
    /** Jump the local queue and the DLM queues (NOORDER + HEADQUE). */
    public static final int PRIORITY = 0x10;
    /** Exactly the requested state: an EX glock does not stand in for SH or DF. */
    public static final int EXACT = 0x80;
    /** Do not refresh the protected object on grant (e.g. trust the rgrp LVB). */
    public static final int SKIP = 0x100;
    /** Demote to UN as soon as this holder is released. */
    public static final int NOCACHE = 0x400;
    /**
     * gfs2j only: exempt from the lock-order check (e.g. glocks of a freshly allocated inode,
     * which no other node can know yet; spec 4.13 exceptions).
     */
    public static final int ORDER_EXEMPT = 0x10000;

    /**
     * gfs2j only: a write-back of the kernel's dirty pages (FUSE_WRITE in writeback-cache mode). While
     * a demote from EX is in its sync phase, such a holder is granted under the still-held EX lock
     * instead of queueing behind the demote, which is waiting for exactly these writes
     * ({@link PageCacheNotifier#writeBack}). Otherwise it behaves like a plain holder.
     */
    public static final int WRITEBACK = 0x20000;

    static final int ALL = TRY | TRY_1CB | NOEXP | ANY | PRIORITY | EXACT | SKIP | NOCACHE | ORDER_EXEMPT | WRITEBACK;

    private HolderFlags() {
    }

    public static boolean isTry(int flags) {
        return (flags & (TRY | TRY_1CB)) != 0;
    }

    static String describe(int flags) {
        StringBuilder b = new StringBuilder();
        if ((flags & TRY) != 0) b.append('t');
        if ((flags & TRY_1CB) != 0) b.append('T');
        if ((flags & NOEXP) != 0) b.append('e');
        if ((flags & ANY) != 0) b.append('A');
        if ((flags & PRIORITY) != 0) b.append('p');
        if ((flags & EXACT) != 0) b.append('E');
        if ((flags & SKIP) != 0) b.append('s');
        if ((flags & NOCACHE) != 0) b.append('c');
        if ((flags & ORDER_EXEMPT) != 0) b.append('o');
        if ((flags & WRITEBACK) != 0) b.append('w');
        return b.toString();
    }
}
