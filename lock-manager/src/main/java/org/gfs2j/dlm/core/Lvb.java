package org.gfs2j.dlm.core;

import org.gfs2j.dlm.LockMode;

/** The value block transfer table of spec section 1.9. */
final class Lvb {
    private Lvb() {
    }

    /**
     * Direction of the value transfer when a lock granted {@code from} (null: new lock) is granted
     * {@code to}: 'R' the resource value is read into the lock, 'W' the lock's value is written to
     * the resource, '-' nothing.
     */
    static char direction(LockMode from, LockMode to) {
        if (from == null || from == LockMode.NL) {
            return 'R';
        }
        switch (from) {
            case CR:
                return to == LockMode.NL ? '-' : 'R';
            case CW:
                return to.code >= LockMode.CW.code ? 'R' : '-';
            case PR:
                return to.code >= LockMode.PR.code ? 'R' : '-';
            case PW:
                return to == LockMode.EX ? 'R' : 'W';
            case EX:
                return 'W';
            default:
                throw new IllegalArgumentException(from.toString());
        }
    }
}
