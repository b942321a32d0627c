package org.gfs2j.fs.ondisk;

import java.nio.ByteBuffer;
import org.gfs2j.journal.format.Checksums;
import org.gfs2j.journal.format.CorruptMetadataException;
import org.gfs2j.journal.format.MetaHeader;
import org.gfs2j.journal.format.MetaType;

/**
 * {@code gfs2_rgrp}, the first 128 bytes of a resource group's first block (spec 4.2).
 *
 * <pre>
 *   0 meta header (RG, 200)   24 rg_flags   28 rg_free   32 rg_dinodes   36 rg_skip
 *  40 rg_igeneration (u64)    48 rg_data0 (u64)          56 rg_data      60 rg_bitbytes
 *  64 rg_crc                  68 reserved (60)           128 bitmap ...
 * </pre>
 *
 * {@code rg_crc} is the CRC-32 of bytes 0..127 with the field zeroed; 0 means "not checked".
 * {@link #encode} computes it; {@link #decode} verifies it when non-zero.
 */
public record RgrpHeader(int flags, long free, long dinodes, long skip, long igeneration,
                         long data0, long data, long bitbytes) {
    public static final int OFF_FLAGS = 24;
    public static final int OFF_FREE = 28;
    public static final int OFF_DINODES = 32;
    public static final int OFF_SKIP = 36;
    public static final int OFF_IGENERATION = 40;
    public static final int OFF_DATA0 = 48;
    public static final int OFF_DATA = 56;
    public static final int OFF_BITBYTES = 60;
    public static final int OFF_CRC = 64;
    public static final int OFF_RESERVED = 68;
    public static final int SIZE = 128;

    public static final int FLAG_JOURNAL = 0x1;
    public static final int FLAG_METAONLY = 0x2;
    public static final int FLAG_DATAONLY = 0x4;
    public static final int FLAG_NOALLOC = 0x8;
    public static final int FLAG_TRIMMED = 0x10;
    private static final String S = "resource group header";

    public static RgrpHeader decode(ByteBuffer block, long blockNo) throws CorruptMetadataException {
        MetaHeader.check(block, blockNo, MetaType.RG);
        Fields f = new Fields(block, 0, blockNo, S);
        RgrpHeader h = new RgrpHeader(f.i32(OFF_FLAGS, "rg_flags"), f.u32(OFF_FREE, "rg_free"),
                f.u32(OFF_DINODES, "rg_dinodes"), f.u32(OFF_SKIP, "rg_skip"),
                f.u64(OFF_IGENERATION, "rg_igeneration"), f.u64(OFF_DATA0, "rg_data0"),
                f.u32(OFF_DATA, "rg_data"), f.u32(OFF_BITBYTES, "rg_bitbytes"));
        int stored = f.i32(OFF_CRC, "rg_crc");
        f.bytes(OFF_RESERVED, SIZE - OFF_RESERVED, "rg_reserved");
        if (stored != 0 && stored != crc(block)) {
            throw f.corrupt("rg_crc", String.format("0x%08x, computed 0x%08x", stored, crc(block)));
        }
        if (h.free + h.dinodes > h.data) {
            throw f.corrupt("rg_free", h.free + " free + " + h.dinodes + " dinodes exceed rg_data " + h.data);
        }
        return h;
    }

    /** Writes the 128-byte header (with rg_crc) at the start of {@code block}; the bitmap is untouched. */
    public void encode(ByteBuffer block) {
        Fields.requireRoom(block, 0, SIZE, S);
        ByteBuffer b = Fields.bigEndian(block);
        Fields.zero(b, 0, SIZE);
        MetaHeader.encode(b, MetaType.RG);
        b.putInt(OFF_FLAGS, flags);
        b.putInt(OFF_FREE, (int) free);
        b.putInt(OFF_DINODES, (int) dinodes);
        b.putInt(OFF_SKIP, (int) skip);
        b.putLong(OFF_IGENERATION, igeneration);
        b.putLong(OFF_DATA0, data0);
        b.putInt(OFF_DATA, (int) data);
        b.putInt(OFF_BITBYTES, (int) bitbytes);
        b.putInt(OFF_CRC, crc(b));
    }

    /** CRC-32 of the 128-byte header as it would be with rg_crc zero. */
    public static int crc(ByteBuffer block) {
        byte[] hdr = new byte[SIZE];
        block.get(0, hdr);
        hdr[OFF_CRC] = hdr[OFF_CRC + 1] = hdr[OFF_CRC + 2] = hdr[OFF_CRC + 3] = 0;
        return Checksums.gfs2Hash(hdr);
    }

    public RgrpHeader withCounts(long newFree, long newDinodes) {
        return new RgrpHeader(flags, newFree, newDinodes, skip, igeneration, data0, data, bitbytes);
    }

    public RgrpHeader withIgeneration(long gen) {
        return new RgrpHeader(flags, free, dinodes, skip, gen, data0, data, bitbytes);
    }

    /** Checks that the header's copies agree with the rindex entry describing it. */
    public void checkAgainst(RindexEntry ri, long blockNo) throws CorruptMetadataException {
        if (data0 != ri.data0()) {
            throw new CorruptMetadataException(blockNo, S, "rg_data0", data0 + ", rindex says " + ri.data0());
        }
        if (data != ri.data()) {
            throw new CorruptMetadataException(blockNo, S, "rg_data", data + ", rindex says " + ri.data());
        }
        if (bitbytes != ri.bitbytes()) {
            throw new CorruptMetadataException(blockNo, S, "rg_bitbytes", bitbytes + ", rindex says " + ri.bitbytes());
        }
    }
}
