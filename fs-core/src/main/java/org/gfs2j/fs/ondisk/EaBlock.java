package org.gfs2j.fs.ondisk;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.gfs2j.journal.format.CorruptMetadataException;
import org.gfs2j.journal.format.MetaHeader;
import org.gfs2j.journal.format.MetaType;

/**
 * An extended-attribute block (EA, 1600): a meta header and EA records tiling the rest of the
 * block like dirents (spec 9.2).
 *
 * <pre>
 *  0 meta header (EA, 1600)   24 record (EaHeader + name + value|pointers) ... last record
 *                                with ea_flags LAST ending exactly at the block end
 * </pre>
 */
public final class EaBlock {
    public static final int OFF_RECORDS = MetaHeader.SIZE;
    private static final String S = "extended attribute block";

    private EaBlock() {
    }

    /**
     * One record of an EA block. {@code value} is the inline value of a stuffed record (else
     * null); {@code pointers} the ED block numbers of an unstuffed one (else empty).
     */
    public record Entry(int offset, EaHeader header, byte[] name, byte[] value, long[] pointers) {
        public String nameString() {
            return new String(name, StandardCharsets.UTF_8);
        }

        /** The Linux attribute name, e.g. {@code user.color}. */
        public String linuxName() {
            return EaHeader.prefix(header.type()) + nameString();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && offset == e.offset && header.equals(e.header)
                    && Arrays.equals(name, e.name) && Arrays.equals(value, e.value) && Arrays.equals(pointers, e.pointers);
        }

        @Override
        public int hashCode() {
            return offset * 31 + header.hashCode();
        }
    }

    /** Writes a fresh EA block: the header and one UNUSED record with LAST spanning the block. */
    public static void encodeEmpty(ByteBuffer block) {
        ByteBuffer b = Fields.bigEndian(block);
        Fields.zero(b, 0, b.limit());
        MetaHeader.encode(b, MetaType.EA);
        new EaHeader(b.limit() - OFF_RECORDS, 0, 0, EaHeader.TYPE_UNUSED, EaHeader.FLAG_LAST, 0).encode(b, OFF_RECORDS);
    }

    /**
     * Writes a record (header, name, value or pointers) at {@code off}, zeroing the rest of its
     * {@code recLen} bytes.
     */
    public static void encodeRecord(ByteBuffer block, int off, EaHeader header, byte[] name, byte[] value, long[] pointers) {
        ByteBuffer b = Fields.bigEndian(block);
        Fields.requireRoom(b, off, (int) header.recLen(), "extended attribute");
        Fields.zero(b, off, off + (int) header.recLen());
        header.encode(b, off);
        b.put(off + EaHeader.OFF_NAME, name);
        if (header.isStuffed()) {
            b.put(off + header.valueOffset(), value);
        } else {
            for (int i = 0; i < pointers.length; i++) {
                b.putLong(off + header.valueOffset() + 8 * i, pointers[i]);
            }
        }
    }

    /**
     * Walks every record, checking the tiling and LAST rules, name lengths of used records, the
     * type against {@code fsFormat} (trusted only with 1802) and the ED pointer count.
     */
    public static List<Entry> walk(ByteBuffer block, long blockNo, int fsFormat) throws CorruptMetadataException {
        MetaHeader.check(block, blockNo, MetaType.EA);
        ByteBuffer b = Fields.bigEndian(block);
        int bsize = b.limit();
        int jbsize = bsize - MetaHeader.SIZE;
        List<Entry> out = new ArrayList<>();
        int off = OFF_RECORDS;
        while (true) {
            if (bsize - off < EaHeader.SIZE) {
                throw new CorruptMetadataException(blockNo, S, "ea_rec_len", "records do not reach the block end");
            }
            EaHeader h = EaHeader.decode(b, off, blockNo);
            long end = off + h.recLen();
            if (end > bsize) {
                throw new CorruptMetadataException(blockNo, S, "ea_rec_len", "record at " + off + " runs past the block end");
            }
            if (h.isLast() != (end == bsize)) {
                throw new CorruptMetadataException(blockNo, S, "ea_flags", "record at " + off
                        + (h.isLast() ? " is LAST but does not end the block" : " ends the block without LAST"));
            }
            if (!h.isLast() && bsize - end < EaHeader.SIZE) {
                throw new CorruptMetadataException(blockNo, S, "ea_rec_len", "record at " + off + " leaves no room for the next");
            }
            Entry e = h.isUnused() ? new Entry(off, h, new byte[0], null, new long[0]) : usedEntry(b, off, h, blockNo, fsFormat, jbsize);
            out.add(e);
            if (h.isLast()) {
                return out;
            }
            off = (int) end;
        }
    }

    private static Entry usedEntry(ByteBuffer b, int off, EaHeader h, long blockNo, int fsFormat, int jbsize)
            throws CorruptMetadataException {
        Fields f = new Fields(b, off, blockNo, "extended attribute at offset " + off);
        if (h.nameLen() == 0) {
            throw f.corrupt("ea_name_len", "0 in a used record");
        }
        if (h.type() == EaHeader.TYPE_TRUSTED && fsFormat < Superblock.FS_FORMAT_1802) {
            throw f.corrupt("ea_type", "trusted (4) needs sb_fs_format 1802");
        }
        if (h.usedSize() > h.recLen()) {
            throw f.corrupt("ea_rec_len", h.recLen() + " is smaller than the record's " + h.usedSize() + " bytes");
        }
        if (h.dataLen() > EaHeader.MAX_DATA_LEN) {
            throw f.corrupt("ea_data_len", h.dataLen() + " exceeds " + EaHeader.MAX_DATA_LEN);
        }
        byte[] name = f.bytes(EaHeader.OFF_NAME, h.nameLen(), "ea_name");
        if (h.isStuffed()) {
            return new Entry(off, h, name, f.bytes(h.valueOffset(), (int) h.dataLen(), "ea_value"), new long[0]);
        }
        long need = (h.dataLen() + jbsize - 1) / jbsize;
        if (h.numPtrs() < need) {
            throw f.corrupt("ea_num_ptrs", h.numPtrs() + ", a " + h.dataLen() + "-byte value needs " + need);
        }
        long[] ptrs = new long[h.numPtrs()];
        for (int i = 0; i < ptrs.length; i++) {
            ptrs[i] = f.u64(h.valueOffset() + 8 * i, "ea_ptr[" + i + "]");
        }
        return new Entry(off, h, name, null, ptrs);
    }
}
