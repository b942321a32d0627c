package org.gfs2j.fuse.protocol;

import java.nio.ByteBuffer;

/**
 * INIT: decodes {@code fuse_init_in} and builds {@code fuse_init_out}.
 * <pre>
 * fuse_init_in (64): 0 major | 4 minor | 8 max_readahead | 12 flags | 16 flags2 | 20 unused[11]
 * fuse_init_out (64): 0 major | 4 minor | 8 max_readahead | 12 flags | 16 max_background u16
 *   | 18 congestion_threshold u16 | 20 max_write | 24 time_gran | 28 max_pages u16
 *   | 30 map_alignment u16 | 32 flags2 | 36 max_stack_depth | 40 request_timeout u16 | 42 unused
 * </pre>
 * The reply accepts only bits the kernel offered; INIT_EXT is always echoed when offered so that
 * flags2 is read.
 */
public final class InitNegotiation {
    public static final int INIT_OUT_SIZE = 64;

    /** What the kernel sent. flags holds flags | flags2 << 32 (flags2 only if INIT_EXT is set). */
    public record InitIn(int major, int minor, int maxReadahead, long flags) {
    }

    /** What we answer. */
    public record InitOut(int major, int minor, int maxReadahead, long flags, int maxBackground,
                          int congestionThreshold, int maxWrite, int timeGran, int maxPages) {
        public void encode(ByteBuffer b) {
            b.putInt(major).putInt(minor).putInt(maxReadahead).putInt((int) flags)
                    .putShort((short) maxBackground).putShort((short) congestionThreshold)
                    .putInt(maxWrite).putInt(timeGran).putShort((short) maxPages).putShort((short) 0)
                    .putInt((int) (flags >>> 32)).putInt(0).putShort((short) 0).put(new byte[22]);
        }
    }

    private InitNegotiation() {
    }

    public static InitIn decode(Request r) throws MalformedRequestException {
        int major = r.u32("major");
        int minor = r.u32("minor");
        int readahead = r.u32("max_readahead");
        long flags = Integer.toUnsignedLong(r.u32("flags"));
        if ((flags & Fuse.Init.INIT_EXT) != 0 && r.remaining() >= 4) {
            flags |= Integer.toUnsignedLong(r.u32("flags2")) << 32;
        }
        return new InitIn(major, minor, readahead, flags);
    }

    /**
     * @param wanted      capability bits the server would like
     * @param maxWrite    largest WRITE payload accepted (also sets max_pages)
     */
    public static InitOut negotiate(InitIn in, long wanted, int maxWrite, int maxBackground) {
        long accepted = in.flags() & (wanted | Fuse.Init.INIT_EXT);
        int maxPages = Math.max(1, Math.min(256, (maxWrite + 4095) / 4096));
        int minor = Math.min(in.minor(), Fuse.KERNEL_MINOR_VERSION);
        return new InitOut(Fuse.KERNEL_VERSION, minor, in.maxReadahead(), accepted,
                maxBackground, Math.max(1, maxBackground * 3 / 4), maxWrite, 1, maxPages);
    }
}
