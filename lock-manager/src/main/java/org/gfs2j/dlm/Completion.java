package org.gfs2j.dlm;

/**
 * The outcome of one accepted operation (the "AST" with its status block).
 *
 * @param lockId  the lock
 * @param status  {@link DlmStatus}: OK, EAGAIN, EDEADLK, EUNLOCK, ECANCEL
 * @param sbFlags {@link DlmStatus#SBF_DEMOTED}, {@code SBF_VALNOTVALID}, {@code SBF_ALTMODE}
 * @param mode    the lock's granted mode after the operation (null: no lock any more / never granted)
 * @param lvb     with VALBLK: a copy of the lock's value block after the operation, else null
 */
public record Completion(int lockId, int status, int sbFlags, LockMode mode, byte[] lvb) {
    public boolean isGranted() {
        return status == DlmStatus.OK;
    }

    public boolean valueInvalid() {
        return (sbFlags & DlmStatus.SBF_VALNOTVALID) != 0;
    }

    @Override
    public String toString() {
        return "Completion[lock=" + lockId + " " + DlmStatus.name(status) + " sb=" + sbFlags + " mode=" + mode + "]";
    }
}
