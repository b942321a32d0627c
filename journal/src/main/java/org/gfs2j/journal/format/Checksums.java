package org.gfs2j.journal.format;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * The two checksums GFS2 uses. The "gfs2 hash" (directory names, {@code lh_hash}, {@code rg_crc})
 * is plain CRC-32 as zlib computes it. {@code lh_crc} is CRC-32C's raw register without the final
 * XOR, i.e. the bitwise NOT of standard CRC-32C.
 */
public final class Checksums {
    private Checksums() {
    }

    public static int gfs2Hash(byte[] bytes) {
        return gfs2Hash(bytes, 0, bytes.length);
    }

    public static int gfs2Hash(byte[] bytes, int off, int len) {
        CRC32 crc = new CRC32();
        crc.update(bytes, off, len);
        return (int) crc.getValue();
    }

    /** CRC-32 of {@code len} bytes at absolute position {@code off}; the buffer's position is untouched. */
    public static int gfs2Hash(ByteBuffer buf, int off, int len) {
        CRC32 crc = new CRC32();
        crc.update(buf.duplicate().position(off).limit(off + len));
        return (int) crc.getValue();
    }

    /** The directory-entry hash of a name (its UTF-8 bytes, as the kernel hashes raw bytes). */
    public static int nameHash(String name) {
        return gfs2Hash(name.getBytes(StandardCharsets.UTF_8));
    }

    /** CRC-32C raw register (init all ones, no final XOR) over {@code len} bytes at {@code off}. */
    public static int crc32cRaw(ByteBuffer buf, int off, int len) {
        CRC32C crc = new CRC32C();
        crc.update(buf.duplicate().position(off).limit(off + len));
        return ~(int) crc.getValue();
    }

    public static int crc32cRaw(byte[] bytes) {
        return crc32cRaw(ByteBuffer.wrap(bytes), 0, bytes.length);
    }
}
