package org.gfs2j.fuse.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.gfs2j.fuse.protocol.MalformedRequestException.Kind;
import org.junit.jupiter.api.Test;

class RequestParserTest {
    private static MalformedRequestException fails(ByteBuffer b, int count) {
        return assertThrows(MalformedRequestException.class, () -> RequestParser.parse(b, count));
    }

    @Test
    void decodesHeaderAndName() throws Exception {
        RequestBuilder rb = RequestBuilder.of(Opcode.LOOKUP, 42, 7).caller(1, 2, 3).cstr("hello");
        Request r = RequestParser.parse(rb.build(), rb.length());
        assertEquals(Opcode.LOOKUP, r.opcode());
        assertEquals(42, r.unique());
        assertEquals(7, r.nodeid());
        assertEquals(1, r.header().uid());
        assertEquals(2, r.header().gid());
        assertEquals(3, r.header().pid());
        assertEquals("hello", r.name("name"));
        assertEquals(0, r.remaining());
    }

    @Test
    void headerLayoutMatchesTheKernel() {
        // len 46, opcode 1, unique 2, nodeid 1, uid 0x3e8, gid 0x3e9, pid 0x10, extlen 0
        byte[] raw = {46, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
                (byte) 0xe8, 3, 0, 0, (byte) 0xe9, 3, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 'a', 'b', 'c', 'd', 'e', 0};
        InHeader h = InHeader.decode(ByteBuffer.wrap(raw));
        assertEquals(new InHeader(46, 1, 2, 1, 1000, 1001, 16, 0), h);
    }

    @Test
    void shortHeader() {
        MalformedRequestException e = fails(ByteBuffer.allocate(64), 39);
        assertEquals(Kind.SHORT_HEADER, e.kind());
        assertEquals(-1, e.unique());
    }

    @Test
    void lengthMismatch() {
        RequestBuilder rb = RequestBuilder.of(Opcode.GETATTR, 10, 1).zeros(16);
        MalformedRequestException e = fails(rb.build(100), rb.length() + 8);
        assertEquals(Kind.LENGTH_MISMATCH, e.kind());
        assertEquals(10, e.unique());
    }

    @Test
    void unknownOpcodeKeepsUnique() {
        RequestBuilder rb = new RequestBuilder(7, 12, 1);
        MalformedRequestException e = fails(rb.build(), rb.length());
        assertEquals(Kind.UNKNOWN_OPCODE, e.kind());
        assertEquals(12, e.unique());
        assertNull(Opcode.of(7));
        assertNull(Opcode.of(-1));
        assertNull(Opcode.of(4096));
    }

    @Test
    void bodyShorterThanFixedArguments() {
        RequestBuilder rb = RequestBuilder.of(Opcode.SETATTR, 14, 1).zeros(87);
        assertEquals(Kind.SHORT_BODY, fails(rb.build(), rb.length()).kind());
    }

    @Test
    void extensionLengthBeyondRequest() {
        RequestBuilder rb = RequestBuilder.of(Opcode.MKDIR, 16, 1).zeros(8).cstr("d");
        ByteBuffer b = rb.build();
        b.order(ByteOrder.LITTLE_ENDIAN).putShort(36, (short) 10);
        assertEquals(Kind.BAD_EXTENSION_LENGTH, fails(b, rb.length()).kind());
    }

    @Test
    void nameErrors() throws Exception {
        RequestBuilder noNul = RequestBuilder.of(Opcode.LOOKUP, 2, 1).bytes("abc".getBytes());
        Request r = RequestParser.parse(noNul.build(), noNul.length());
        assertEquals(Kind.MISSING_NUL, assertThrows(MalformedRequestException.class, () -> r.name("n")).kind());

        RequestBuilder slash = RequestBuilder.of(Opcode.UNLINK, 4, 1).cstr("a/b");
        Request r2 = RequestParser.parse(slash.build(), slash.length());
        assertEquals(Kind.BAD_NAME, assertThrows(MalformedRequestException.class, () -> r2.name("n")).kind());

        RequestBuilder empty = RequestBuilder.of(Opcode.RMDIR, 6, 1).cstr("");
        Request r3 = RequestParser.parse(empty.build(), empty.length());
        assertEquals(Kind.BAD_NAME, assertThrows(MalformedRequestException.class, () -> r3.name("n")).kind());
    }

    @Test
    void accessorsNeverReadPastTheBody() throws Exception {
        RequestBuilder rb = RequestBuilder.of(Opcode.WRITE, 8, 5).u64(1).u64(0).u32(100).u32(0).zeros(16).zeros(10);
        Request r = RequestParser.parse(rb.build(4096), rb.length());
        r.u64("fh");
        r.u64("offset");
        int size = r.u32("size");
        r.u32("flags");
        r.skip(16, "rest");
        MalformedRequestException e = assertThrows(MalformedRequestException.class, () -> r.slice(size, "data"));
        assertEquals(Kind.SHORT_BODY, e.kind());
        assertEquals(8, e.unique());
        assertEquals(10, r.remaining(), "a failed read consumes nothing");
        assertArrayEquals(new byte[10], r.bytes(10, "data"));
    }

    @Test
    void byteNamesRoundTrip() throws Exception {
        byte[] raw = {(byte) 0xff, (byte) 0xc3, 0x28, 'x'};
        RequestBuilder rb = RequestBuilder.of(Opcode.LOOKUP, 2, 1).bytes(raw).zeros(1);
        String n = RequestParser.parse(rb.build(), rb.length()).name("name");
        assertArrayEquals(raw, n.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    @Test
    void opcodeTable() {
        assertFalse(Opcode.FORGET.replies());
        assertFalse(Opcode.BATCH_FORGET.replies());
        assertFalse(Opcode.INTERRUPT.replies());
        assertFalse(Opcode.NOTIFY_REPLY.replies());
        assertTrue(Opcode.RELEASE.replies());
        assertEquals(88, Opcode.SETATTR.fixedBodySize());
        assertEquals(48, Opcode.SETLKW.fixedBodySize());
        for (Opcode op : Opcode.values()) {
            assertEquals(op, Opcode.of(op.code()));
        }
    }
}
