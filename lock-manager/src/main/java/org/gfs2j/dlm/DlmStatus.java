package org.gfs2j.dlm;

/** Completion status values (negated errno style, spec section 1.6) and status-block flags. */
public final class DlmStatus {
    public static final int OK = 0;
    public static final int EAGAIN = -11;
    public static final int EBUSY = -16;
    public static final int EINVAL = -22;
    public static final int EDEADLK = -35;
    /** Internal: "I am not the master of that resource" (stale master cache); the holder looks it up again. */
    public static final int EBADR = -53;
    public static final int ENOTCONN = -107;
    public static final int EINPROGRESS = -115;
    public static final int ECANCEL = -0x10001;
    public static final int EUNLOCK = -0x10002;

    public static final int SBF_DEMOTED = 0x01;
    public static final int SBF_VALNOTVALID = 0x02;
    public static final int SBF_ALTMODE = 0x04;

    private DlmStatus() {
    }

    public static String name(int status) {
        switch (status) {
            case OK: return "OK";
            case EAGAIN: return "EAGAIN";
            case EBUSY: return "EBUSY";
            case EINVAL: return "EINVAL";
            case EDEADLK: return "EDEADLK";
            case EBADR: return "EBADR";
            case ENOTCONN: return "ENOTCONN";
            case EINPROGRESS: return "EINPROGRESS";
            case ECANCEL: return "ECANCEL";
            case EUNLOCK: return "EUNLOCK";
            default: return Integer.toString(status);
        }
    }
}
