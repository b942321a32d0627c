package org.gfs2j.dlm;

/** A lock call rejected at once (no completion callback will follow): EINVAL, EBUSY, ENOTCONN. */
public final class DlmException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public DlmException(int status, String message) {
        super(DlmStatus.name(status) + ": " + message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
