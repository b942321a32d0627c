package org.gfs2j.fs.ondisk;

import java.nio.ByteBuffer;
import org.gfs2j.journal.format.CorruptMetadataException;

/**
 * {@code gfs2_rindex}, one 96-byte entry of the rindex system file (spec 4.1).
 *
 * <pre>
 *  0 ri_addr (u64)   8 ri_length (u32)   12 pad (u32)
 * 16 ri_data0 (u64) 24 ri_data (u32)     28 ri_bitbytes (u32)   32 reserved (64)   96 end
 * </pre>
 *
 * mkfs.gfs2 leaves garbage in pad/reserved; readers ignore them, {@link #encode} writes zeros.
 */
public record RindexEntry(long addr, long length, long data0, long data, long bitbytes) {
    public static final int OFF_ADDR = 0;
    public static final int OFF_LENGTH = 8;
    public static final int OFF_DATA0 = 16;
    public static final int OFF_DATA = 24;
    public static final int OFF_BITBYTES = 28;
    public static final int OFF_RESERVED = 32;
    public static final int SIZE = 96;
    private static final String S = "rindex entry";

    /** The entry for an rgrp at {@code addr} with {@code length} header blocks and {@code data} data blocks. */
    public static RindexEntry of(long addr, int length, long data) {
        return new RindexEntry(addr, length, addr + length, data, data / 4);
    }

    /**
     * Decodes the entry at byte {@code base} of {@code buf} and checks its internal consistency
     * (data0 = addr + length, bitbytes = data/4, bitmap geometry for {@code geo}).
     *
     * @param blockNo block holding the entry (or -1), named in errors
     */
    public static RindexEntry decode(ByteBuffer buf, int base, long blockNo, Geometry geo)
            throws CorruptMetadataException {
        Fields f = new Fields(buf, base, blockNo, S);
        long addr = f.u64(OFF_ADDR, "ri_addr");
        long length = f.u32(OFF_LENGTH, "ri_length");
        long data0 = f.u64(OFF_DATA0, "ri_data0");
        long data = f.u32(OFF_DATA, "ri_data");
        long bitbytes = f.u32(OFF_BITBYTES, "ri_bitbytes");
        if (length < 1) {
            throw f.corrupt("ri_length", "0 at rgrp " + addr);
        }
        if (data0 != addr + length) {
            throw f.corrupt("ri_data0", data0 + ", expected ri_addr + ri_length = " + (addr + length));
        }
        if (data % 4 != 0 || data == 0) {
            throw f.corrupt("ri_data", data + " is not a positive multiple of 4");
        }
        if (bitbytes != data / 4) {
            throw f.corrupt("ri_bitbytes", bitbytes + ", expected ri_data/4 = " + data / 4);
        }
        if (geo != null && geo.rgrpHeaderBlocks(bitbytes) != length) {
            throw f.corrupt("ri_length", length + " header blocks, bitmap of " + bitbytes + " bytes needs "
                    + geo.rgrpHeaderBlocks(bitbytes));
        }
        return new RindexEntry(addr, length, data0, data, bitbytes);
    }

    public void encode(ByteBuffer buf, int base) {
        Fields.requireRoom(buf, base, SIZE, S);
        ByteBuffer b = Fields.bigEndian(buf);
        Fields.zero(b, base, base + SIZE);
        b.putLong(base + OFF_ADDR, addr);
        b.putInt(base + OFF_LENGTH, (int) length);
        b.putLong(base + OFF_DATA0, data0);
        b.putInt(base + OFF_DATA, (int) data);
        b.putInt(base + OFF_BITBYTES, (int) bitbytes);
    }

    /** One past the last data block. */
    public long dataEnd() {
        return data0 + data;
    }

    /** True when {@code block} is one of this rgrp's data blocks. */
    public boolean containsData(long block) {
        return block >= data0 && block < data0 + data;
    }
}
