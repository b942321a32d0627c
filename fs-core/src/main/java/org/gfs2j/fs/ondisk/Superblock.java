package org.gfs2j.fs.ondisk;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.gfs2j.journal.format.CorruptMetadataException;
import org.gfs2j.journal.format.MetaHeader;
import org.gfs2j.journal.format.MetaType;

/**
 * {@code gfs2_sb}, the superblock at byte 65536 of the device (spec 3).
 *
 * <pre>
 *   0 meta header (SB, 100)       24 sb_fs_format      28 sb_multihost_format
 *  32 pad                         36 sb_bsize          40 sb_bsize_shift     44 pad
 *  48 sb_master_dir (inum, 16)    64 pad (16)          80 sb_root_dir (inum, 16)
 *  96 sb_lockproto (64, NUL-terminated)   160 sb_locktable (64, NUL-terminated)
 * 224 pad (16)                   240 pad (16)         256 sb_uuid (16)      272 end
 * </pre>
 *
 * The rest of the block after byte 272 is zero; {@link #encode} writes it so.
 */
public record Superblock(int fsFormat, int multihostFormat, int bsize, int bsizeShift,
                         Inum masterDir, Inum rootDir, String lockProto, String lockTable, UUID uuid) {
    public static final int OFF_FS_FORMAT = 24;
    public static final int OFF_MULTIHOST_FORMAT = 28;
    public static final int OFF_BSIZE = 36;
    public static final int OFF_BSIZE_SHIFT = 40;
    public static final int OFF_MASTER_DIR = 48;
    public static final int OFF_ROOT_DIR = 80;
    public static final int OFF_LOCKPROTO = 96;
    public static final int OFF_LOCKTABLE = 160;
    public static final int OFF_UUID = 256;
    public static final int LOCKNAME_LEN = 64;
    public static final int SIZE = 272;

    public static final int FS_FORMAT_1801 = 1801;
    public static final int FS_FORMAT_1802 = 1802;
    public static final int MULTIHOST_FORMAT = 1900;
    private static final String S = "superblock";

    public Superblock {
        if (lockProto.getBytes(StandardCharsets.US_ASCII).length >= LOCKNAME_LEN
                || lockTable.getBytes(StandardCharsets.US_ASCII).length >= LOCKNAME_LEN) {
            throw new IllegalArgumentException("lock protocol and lock table are at most 63 characters");
        }
    }

    /** Decodes and validates the superblock held in {@code block} (block number {@code blockNo}). */
    public static Superblock decode(ByteBuffer block, long blockNo) throws CorruptMetadataException {
        MetaHeader.check(block, blockNo, MetaType.SB);
        Fields f = new Fields(block, 0, blockNo, S);
        int fsFormat = f.i32(OFF_FS_FORMAT, "sb_fs_format");
        if (fsFormat != FS_FORMAT_1801 && fsFormat != FS_FORMAT_1802) {
            throw f.corrupt("sb_fs_format", fsFormat + ", expected 1801 or 1802");
        }
        int multi = f.i32(OFF_MULTIHOST_FORMAT, "sb_multihost_format");
        if (multi != MULTIHOST_FORMAT) {
            throw f.corrupt("sb_multihost_format", multi + ", expected " + MULTIHOST_FORMAT);
        }
        int bsize = f.i32(OFF_BSIZE, "sb_bsize");
        if (!Geometry.isValidBlockSize(bsize)) {
            throw f.corrupt("sb_bsize", bsize + " is not a power of two in 512..4096");
        }
        int shift = f.i32(OFF_BSIZE_SHIFT, "sb_bsize_shift");
        if (1 << shift != bsize || shift < 0 || shift > 30) {
            throw f.corrupt("sb_bsize_shift", shift + " does not match sb_bsize " + bsize);
        }
        Inum master = Inum.decode(block, OFF_MASTER_DIR, blockNo, S, "sb_master_dir");
        Inum root = Inum.decode(block, OFF_ROOT_DIR, blockNo, S, "sb_root_dir");
        String proto = cString(f.bytes(OFF_LOCKPROTO, LOCKNAME_LEN, "sb_lockproto"));
        String table = cString(f.bytes(OFF_LOCKTABLE, LOCKNAME_LEN, "sb_locktable"));
        byte[] u = f.bytes(OFF_UUID, 16, "sb_uuid");
        ByteBuffer ub = ByteBuffer.wrap(u);
        return new Superblock(fsFormat, multi, bsize, shift, master, root, proto, table,
                new UUID(ub.getLong(), ub.getLong()));
    }

    /** Writes the superblock over the whole of {@code block} (zeroing everything not a field). */
    public void encode(ByteBuffer block) {
        Fields.requireRoom(block, 0, SIZE, S);
        ByteBuffer b = Fields.bigEndian(block);
        Fields.zero(b, 0, b.limit());
        MetaHeader.encode(b, MetaType.SB);
        b.putInt(OFF_FS_FORMAT, fsFormat);
        b.putInt(OFF_MULTIHOST_FORMAT, multihostFormat);
        b.putInt(OFF_BSIZE, bsize);
        b.putInt(OFF_BSIZE_SHIFT, bsizeShift);
        masterDir.encode(b, OFF_MASTER_DIR);
        rootDir.encode(b, OFF_ROOT_DIR);
        b.put(OFF_LOCKPROTO, lockProto.getBytes(StandardCharsets.US_ASCII));
        b.put(OFF_LOCKTABLE, lockTable.getBytes(StandardCharsets.US_ASCII));
        b.putLong(OFF_UUID, uuid.getMostSignificantBits());
        b.putLong(OFF_UUID + 8, uuid.getLeastSignificantBits());
    }

    public Geometry geometry() {
        return Geometry.of(bsize);
    }

    private static String cString(byte[] raw) {
        int n = 0;
        while (n < raw.length && raw[n] != 0) {
            n++;
        }
        return new String(raw, 0, n, StandardCharsets.US_ASCII);
    }
}
