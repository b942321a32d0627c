package org.gfs2j.fuse.protocol;

/**
 * A request that cannot be decoded. {@link #kind()} says what was wrong; {@link #unique()} is the
 * request's id when the header could be read (so the dispatcher can still answer it), else -1.
 */
public final class MalformedRequestException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What was wrong with the request. */
    public enum Kind {
        /** Fewer bytes than the 40-byte in-header. */
        SHORT_HEADER,
        /** The header's len disagrees with the number of bytes read. */
        LENGTH_MISMATCH,
        /** total_extlen points beyond the end of the request. */
        BAD_EXTENSION_LENGTH,
        /** An opcode number this server does not know. */
        UNKNOWN_OPCODE,
        /** The body is shorter than the opcode's fixed arguments or a declared size. */
        SHORT_BODY,
        /** A name or string is not NUL-terminated within the body. */
        MISSING_NUL,
        /** An empty name, a name containing '/', or a name longer than the limit. */
        BAD_NAME,
        /** A field holds a value the protocol does not allow (count, size). */
        BAD_FIELD
    }

    private final Kind kind;
    private final long unique;

    public MalformedRequestException(Kind kind, long unique, String detail) {
        super(kind + ": " + detail);
        this.kind = kind;
        this.unique = unique;
    }

    public Kind kind() {
        return kind;
    }

    public long unique() {
        return unique;
    }
}
