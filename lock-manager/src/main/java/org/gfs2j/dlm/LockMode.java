package org.gfs2j.dlm;

/**
 * The six DLM lock modes, ordered NL &lt; CR &lt; CW &lt; PR &lt; PW &lt; EX (CW and PR are incomparable:
 * neither grants what the other does). "No mode" (Linux IV) is represented by {@code null}.
 */
public enum LockMode {
    NL(0), CR(1), CW(2), PR(3), PW(4), EX(5);

    /** Linux value (DLM_LOCK_*), also the wire code. */
    public final int code;

    LockMode(int code) {
        this.code = code;
    }

    // rows/columns NL..EX, spec section 1.2
    private static final boolean[][] COMPAT = {
            {true, true, true, true, true, true},
            {true, true, true, true, true, false},
            {true, true, true, false, false, false},
            {true, true, false, true, false, false},
            {true, true, false, false, false, false},
            {true, false, false, false, false, false},
    };

    private static final LockMode[] BY_CODE = values();

    /** Whether a lock granted in {@code this} mode and one in {@code other} may coexist. */
    public boolean compatibleWith(LockMode other) {
        return other == null || COMPAT[code][other.code];
    }

    /** Whether converting from {@code this} to {@code to} is a down-conversion (never needs a reply). */
    public boolean isDownTo(LockMode to) {
        if (isMiddle(this, to)) {
            return false;
        }
        return to.code < code;
    }

    /** PR&lt;-&gt;CW: treated as an up-conversion, special-cased in recovery. */
    public static boolean isMiddle(LockMode a, LockMode b) {
        return (a == PR && b == CW) || (a == CW && b == PR);
    }

    /**
     * Whether a blocking callback for {@code wanted} was already covered by one for {@code sent}
     * (same or stronger; PR and CW do not cover each other).
     */
    public static boolean bastCovers(LockMode sent, LockMode wanted) {
        if (sent == null) {
            return false;
        }
        if (sent == wanted) {
            return true;
        }
        if (isMiddle(sent, wanted)) {
            return false;
        }
        return sent.code > wanted.code;
    }

    public static LockMode ofCode(int code) {
        if (code < 0) {
            return null;
        }
        if (code >= BY_CODE.length) {
            throw new IllegalArgumentException("no lock mode " + code);
        }
        return BY_CODE[code];
    }

    public static int codeOf(LockMode m) {
        return m == null ? -1 : m.code;
    }
}
