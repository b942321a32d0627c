package org.gfs2j.dlm;

/** Request flags, with Linux's DLM_LKF_* values (spec section 1.5). */
public final class LockFlags {
    public static final int NOQUEUE = 0x1;
    public static final int CANCEL = 0x2;
    public static final int CONVERT = 0x4;
    public static final int VALBLK = 0x8;
    public static final int QUECVT = 0x10;
    public static final int IVVALBLK = 0x20;
    public static final int CONVDEADLK = 0x40;
    public static final int NODLCKWT = 0x100;
    public static final int EXPEDITE = 0x400;
    public static final int NOQUEUEBAST = 0x800;
    public static final int HEADQUE = 0x1000;
    public static final int NOORDER = 0x2000;
    public static final int ALTPR = 0x8000;
    public static final int ALTCW = 0x10000;
    public static final int FORCEUNLOCK = 0x20000;

    /** Flags accepted on lock and convert calls. */
    public static final int LOCK_MASK = NOQUEUE | CONVERT | VALBLK | QUECVT | IVVALBLK | CONVDEADLK | NODLCKWT
            | EXPEDITE | NOQUEUEBAST | HEADQUE | NOORDER | ALTPR | ALTCW;
    /** Flags accepted on unlock calls (FORCEUNLOCK is not implemented; GFS2 never uses it). */
    public static final int UNLOCK_MASK = CANCEL | VALBLK | IVVALBLK;

    private LockFlags() {
    }

    public static boolean has(int flags, int flag) {
        return (flags & flag) != 0;
    }
}
