package org.gfs2j.fuse.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * One decoded request: its header, its opcode and a cursor over its body (the bytes after the
 * header, without extensions). The body accessors throw {@link MalformedRequestException} when the
 * request is shorter than what they are asked to read, so handlers never index out of bounds.
 * The body is a view of the reader's buffer and is valid only until the handler returns.
 */
public final class Request {
    /** Longest name the kernel ever sends (its own limit is 255; replies may carry 1024). */
    public static final int NAME_MAX = 1024;

    private final InHeader header;
    private final Opcode opcode;
    private final ByteBuffer body;

    Request(InHeader header, Opcode opcode, ByteBuffer body) {
        this.header = header;
        this.opcode = opcode;
        this.body = body.order(ByteOrder.LITTLE_ENDIAN);
    }

    public InHeader header() {
        return header;
    }

    public Opcode opcode() {
        return opcode;
    }

    public long unique() {
        return header.unique();
    }

    public long nodeid() {
        return header.nodeid();
    }

    /** Bytes of the body not yet consumed. */
    public int remaining() {
        return body.remaining();
    }

    private void need(int n, String what) throws MalformedRequestException {
        if (body.remaining() < n) {
            throw new MalformedRequestException(MalformedRequestException.Kind.SHORT_BODY, unique(),
                    opcode + " " + what + ": need " + n + " bytes, " + body.remaining() + " left");
        }
    }

    public int u32(String field) throws MalformedRequestException {
        need(4, field);
        return body.getInt();
    }

    public long u64(String field) throws MalformedRequestException {
        need(8, field);
        return body.getLong();
    }

    public void skip(int n, String field) throws MalformedRequestException {
        need(n, field);
        body.position(body.position() + n);
    }

    /** A NUL-terminated byte string, returned raw (without the NUL). */
    public byte[] cstringBytes(String field) throws MalformedRequestException {
        int start = body.position();
        int end = -1;
        for (int i = start; i < body.limit(); i++) {
            if (body.get(i) == 0) {
                end = i;
                break;
            }
        }
        if (end < 0) {
            throw new MalformedRequestException(MalformedRequestException.Kind.MISSING_NUL, unique(),
                    opcode + " " + field + " is not NUL-terminated");
        }
        byte[] out = new byte[end - start];
        body.get(out);
        body.get();
        return out;
    }

    /**
     * A directory entry name: non-empty, no '/', at most {@link #NAME_MAX} bytes. Names are byte
     * strings; they are carried as ISO-8859-1 Strings (one char per byte) so that every byte
     * sequence round-trips unchanged.
     */
    public String name(String field) throws MalformedRequestException {
        byte[] raw = cstringBytes(field);
        if (raw.length == 0 || raw.length > NAME_MAX) {
            throw new MalformedRequestException(MalformedRequestException.Kind.BAD_NAME, unique(),
                    opcode + " " + field + " has length " + raw.length);
        }
        for (byte b : raw) {
            if (b == '/') {
                throw new MalformedRequestException(MalformedRequestException.Kind.BAD_NAME, unique(),
                        opcode + " " + field + " contains '/'");
            }
        }
        return new String(raw, StandardCharsets.ISO_8859_1);
    }

    /** An attribute name (xattr): non-empty, NUL-terminated, may contain any other byte. */
    public String xattrName(String field) throws MalformedRequestException {
        byte[] raw = cstringBytes(field);
        if (raw.length == 0 || raw.length > 255) {
            throw new MalformedRequestException(MalformedRequestException.Kind.BAD_NAME, unique(),
                    opcode + " " + field + " has length " + raw.length);
        }
        return new String(raw, StandardCharsets.ISO_8859_1);
    }

    /** The next {@code n} bytes as a read-only view (no copy). */
    public ByteBuffer slice(int n, String field) throws MalformedRequestException {
        if (n < 0) {
            throw new MalformedRequestException(MalformedRequestException.Kind.BAD_FIELD, unique(),
                    opcode + " " + field + " negative size " + n);
        }
        need(n, field);
        ByteBuffer out = body.slice().limit(n).asReadOnlyBuffer();
        body.position(body.position() + n);
        return out;
    }

    public byte[] bytes(int n, String field) throws MalformedRequestException {
        ByteBuffer s = slice(n, field);
        byte[] out = new byte[n];
        s.get(out);
        return out;
    }
}
