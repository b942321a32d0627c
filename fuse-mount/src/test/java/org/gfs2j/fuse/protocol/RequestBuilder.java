package org.gfs2j.fuse.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Builds request bytes by hand, exactly as the kernel lays them out. */
public final class RequestBuilder {
    private final int opcode;
    private final long unique;
    private final long nodeid;
    private int uid = 1000;
    private int gid = 1000;
    private int pid = 4242;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();

    public RequestBuilder(int opcode, long unique, long nodeid) {
        this.opcode = opcode;
        this.unique = unique;
        this.nodeid = nodeid;
    }

    public static RequestBuilder of(Opcode op, long unique, long nodeid) {
        return new RequestBuilder(op.code(), unique, nodeid);
    }

    public RequestBuilder caller(int uid, int gid, int pid) {
        this.uid = uid;
        this.gid = gid;
        this.pid = pid;
        return this;
    }

    public RequestBuilder u32(int v) {
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v);
        body.writeBytes(b.array());
        return this;
    }

    public RequestBuilder u64(long v) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
        body.writeBytes(b.array());
        return this;
    }

    public RequestBuilder cstr(String s) {
        body.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
        body.write(0);
        return this;
    }

    public RequestBuilder bytes(byte[] b) {
        body.writeBytes(b);
        return this;
    }

    public RequestBuilder zeros(int n) {
        body.writeBytes(new byte[n]);
        return this;
    }

    /** The request in a direct buffer of {@code capacity} bytes (position 0); length = {@link #length()}. */
    public ByteBuffer build(int capacity) {
        byte[] b = body.toByteArray();
        ByteBuffer buf = ByteBuffer.allocateDirect(Math.max(capacity, InHeader.SIZE + b.length))
                .order(ByteOrder.LITTLE_ENDIAN);
        new InHeader(InHeader.SIZE + b.length, opcode, unique, nodeid, uid, gid, pid, 0).encode(buf);
        buf.position(InHeader.SIZE);
        buf.put(b);
        buf.clear();
        return buf;
    }

    public ByteBuffer build() {
        return build(0);
    }

    public int length() {
        return InHeader.SIZE + body.size();
    }

    public byte[] toBytes() {
        ByteBuffer b = build();
        byte[] out = new byte[length()];
        b.get(out);
        return out;
    }
}
