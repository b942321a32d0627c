package org.gfs2j.fuse.protocol;

import java.nio.ByteBuffer;

import org.gfs2j.fuse.protocol.MalformedRequestException.Kind;

/**
 * Checks the framing of one request read from /dev/fuse and wraps it as a {@link Request}:
 * header present, {@code len} equal to the bytes read, extensions inside the request, a known
 * opcode and at least the opcode's fixed argument bytes. Everything after that is checked by
 * the {@link Request} accessors as the handler reads the body.
 */
public final class RequestParser {
    private RequestParser() {
    }

    /**
     * @param buf   the bytes of one read, from position 0
     * @param count how many bytes the read returned
     */
    public static Request parse(ByteBuffer buf, int count) throws MalformedRequestException {
        if (count < InHeader.SIZE) {
            throw new MalformedRequestException(Kind.SHORT_HEADER, -1,
                    "request of " + count + " bytes is shorter than the 40-byte header");
        }
        InHeader h = InHeader.decode(buf);
        if (Integer.toUnsignedLong(h.len()) != count) {
            throw new MalformedRequestException(Kind.LENGTH_MISMATCH, h.unique(),
                    "header len " + Integer.toUnsignedString(h.len()) + " but " + count + " bytes read");
        }
        int ext = h.totalExtlen() * 8;
        int bodyLen = count - InHeader.SIZE - ext;
        if (bodyLen < 0) {
            throw new MalformedRequestException(Kind.BAD_EXTENSION_LENGTH, h.unique(),
                    "total_extlen " + h.totalExtlen() + " exceeds the request");
        }
        Opcode op = Opcode.of(h.opcode());
        if (op == null) {
            throw new MalformedRequestException(Kind.UNKNOWN_OPCODE, h.unique(),
                    "opcode " + Integer.toUnsignedString(h.opcode()));
        }
        if (bodyLen < op.fixedBodySize()) {
            throw new MalformedRequestException(Kind.SHORT_BODY, h.unique(),
                    op + " body of " + bodyLen + " bytes, needs " + op.fixedBodySize());
        }
        ByteBuffer body = buf.duplicate().limit(InHeader.SIZE + bodyLen).position(InHeader.SIZE).slice();
        return new Request(h, op, body);
    }
}
