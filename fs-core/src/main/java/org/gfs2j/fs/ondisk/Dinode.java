package org.gfs2j.fs.ondisk;

import java.nio.ByteBuffer;
import org.gfs2j.journal.format.CorruptMetadataException;
import org.gfs2j.journal.format.MetaHeader;
import org.gfs2j.journal.format.MetaType;

/**
 * {@code gfs2_dinode}, the 232-byte inode header at the start of a dinode block (spec 5).
 *
 * <pre>
 *   0 meta header (DI, 400)   24 di_num (inum 16)       40 di_mode   44 di_uid   48 di_gid
 *  52 di_nlink                56 di_size (u64)          64 di_blocks (u64)
 *  72 di_atime  80 di_mtime   88 di_ctime (u64 each)    96 di_major 100 di_minor
 * 104 di_goal_meta (u64)     112 di_goal_data (u64)    120 di_generation (u64)
 * 128 di_flags  132 di_payload_format  136 pad(2)  138 di_height(u16)  140 pad(4)  144 pad(2)
 * 146 di_depth (u16)         148 di_entries            152 pad (16)
 * 168 di_eattr (u64)         176 di_atime_nsec 180 di_mtime_nsec 184 di_ctime_nsec
 * 188 reserved (44)          232 payload: stuffed data or diptrs u64 block pointers
 * </pre>
 */
public record Dinode(Inum num, int mode, long uid, long gid, long nlink, long size, long blocks,
                     long atime, long mtime, long ctime, long major, long minor,
                     long goalMeta, long goalData, long generation, int flags, int payloadFormat,
                     int height, int depth, long entries, long eattr,
                     long atimeNsec, long mtimeNsec, long ctimeNsec) {
    public static final int OFF_NUM = 24;
    public static final int OFF_MODE = 40;
    public static final int OFF_UID = 44;
    public static final int OFF_GID = 48;
    public static final int OFF_NLINK = 52;
    public static final int OFF_SIZE = 56;
    public static final int OFF_BLOCKS = 64;
    public static final int OFF_ATIME = 72;
    public static final int OFF_MTIME = 80;
    public static final int OFF_CTIME = 88;
    public static final int OFF_MAJOR = 96;
    public static final int OFF_MINOR = 100;
    public static final int OFF_GOAL_META = 104;
    public static final int OFF_GOAL_DATA = 112;
    public static final int OFF_GENERATION = 120;
    public static final int OFF_FLAGS = 128;
    public static final int OFF_PAYLOAD_FORMAT = 132;
    public static final int OFF_HEIGHT = 138;
    public static final int OFF_DEPTH = 146;
    public static final int OFF_ENTRIES = 148;
    public static final int OFF_EATTR = 168;
    public static final int OFF_ATIME_NSEC = 176;
    public static final int OFF_MTIME_NSEC = 180;
    public static final int OFF_CTIME_NSEC = 184;
    public static final int OFF_RESERVED = 188;
    /** Size of the dinode header; the payload (stuffed data or pointers) starts here. */
    public static final int SIZE = 232;
    public static final int PAYLOAD_OFFSET = SIZE;

    public static final int FLAG_JDATA = 0x1;
    public static final int FLAG_EXHASH = 0x2;
    public static final int FLAG_EA_INDIRECT = 0x8;
    public static final int FLAG_DIRECTIO = 0x10;
    public static final int FLAG_IMMUTABLE = 0x20;
    public static final int FLAG_APPENDONLY = 0x40;
    public static final int FLAG_NOATIME = 0x80;
    public static final int FLAG_SYNC = 0x100;
    public static final int FLAG_SYSTEM = 0x200;
    public static final int FLAG_TOPDIR = 0x400;
    public static final int FLAG_TRUNC_IN_PROG = 0x20000000;
    public static final int FLAG_INHERIT_DIRECTIO = 0x40000000;
    public static final int FLAG_INHERIT_JDATA = 0x80000000;

    public static final int S_IFMT = 0170000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFLNK = 0120000;
    public static final int S_IFCHR = 0020000;
    public static final int S_IFBLK = 0060000;
    public static final int S_IFIFO = 0010000;
    public static final int S_IFSOCK = 0140000;

    public static final int FORMAT_RINDEX = 1100;
    public static final int FORMAT_DIRENT = 1200;
    public static final int FORMAT_QUOTA = 1500;
    private static final String S = "dinode";

    /**
     * Decodes and validates the dinode in {@code block}: header type, {@code no_addr} equal to
     * {@code blockNo}, a valid file type, height/depth within kernel limits and a stuffed size
     * that fits the block.
     */
    public static Dinode decode(ByteBuffer block, long blockNo) throws CorruptMetadataException {
        MetaHeader.check(block, blockNo, MetaType.DI);
        Fields f = new Fields(block, 0, blockNo, S);
        Inum num = Inum.decode(block, OFF_NUM, blockNo, S, "di_num");
        Dinode d = new Dinode(num, f.i32(OFF_MODE, "di_mode"), f.u32(OFF_UID, "di_uid"),
                f.u32(OFF_GID, "di_gid"), f.u32(OFF_NLINK, "di_nlink"), f.u64(OFF_SIZE, "di_size"),
                f.u64(OFF_BLOCKS, "di_blocks"), f.u64(OFF_ATIME, "di_atime"), f.u64(OFF_MTIME, "di_mtime"),
                f.u64(OFF_CTIME, "di_ctime"), f.u32(OFF_MAJOR, "di_major"), f.u32(OFF_MINOR, "di_minor"),
                f.u64(OFF_GOAL_META, "di_goal_meta"), f.u64(OFF_GOAL_DATA, "di_goal_data"),
                f.u64(OFF_GENERATION, "di_generation"), f.i32(OFF_FLAGS, "di_flags"),
                f.i32(OFF_PAYLOAD_FORMAT, "di_payload_format"), f.u16(OFF_HEIGHT, "di_height"),
                f.u16(OFF_DEPTH, "di_depth"), f.u32(OFF_ENTRIES, "di_entries"), f.u64(OFF_EATTR, "di_eattr"),
                f.u32(OFF_ATIME_NSEC, "di_atime_nsec"), f.u32(OFF_MTIME_NSEC, "di_mtime_nsec"),
                f.u32(OFF_CTIME_NSEC, "di_ctime_nsec"));
        f.bytes(OFF_RESERVED, SIZE - OFF_RESERVED, "di_reserved");
        if (blockNo >= 0 && num.addr() != blockNo) {
            throw f.corrupt("di_num.no_addr", num.addr() + ", the dinode is at block " + blockNo);
        }
        if (!isValidFileType(d.mode)) {
            throw f.corrupt("di_mode", String.format("0%o has no valid file type", d.mode));
        }
        int bsize = block.limit();
        if (Geometry.isValidBlockSize(bsize)) {
            Geometry geo = Geometry.of(bsize);
            if (d.height > geo.maxHeight()) {
                throw f.corrupt("di_height", d.height + " exceeds the maximum " + geo.maxHeight());
            }
            if (d.height == 0 && Long.compareUnsigned(d.size, geo.maxStuffed()) > 0) {
                throw f.corrupt("di_size", d.size + " bytes stuffed, at most " + geo.maxStuffed() + " fit");
            }
        }
        if (d.isExhashDir()) {
            if (d.depth > Geometry.MAX_DIR_DEPTH) {
                throw f.corrupt("di_depth", d.depth + " exceeds " + Geometry.MAX_DIR_DEPTH);
            }
            if (d.size != 8L << d.depth) {
                throw f.corrupt("di_size", d.size + ", an exhash directory of depth " + d.depth
                        + " has a " + (8L << d.depth) + "-byte table");
            }
        }
        return d;
    }

    /** Writes the 232-byte header at the start of {@code block}; the payload is untouched. */
    public void encode(ByteBuffer block) {
        Fields.requireRoom(block, 0, SIZE, S);
        ByteBuffer b = Fields.bigEndian(block);
        Fields.zero(b, 0, SIZE);
        MetaHeader.encode(b, MetaType.DI);
        num.encode(b, OFF_NUM);
        b.putInt(OFF_MODE, mode);
        b.putInt(OFF_UID, (int) uid);
        b.putInt(OFF_GID, (int) gid);
        b.putInt(OFF_NLINK, (int) nlink);
        b.putLong(OFF_SIZE, size);
        b.putLong(OFF_BLOCKS, blocks);
        b.putLong(OFF_ATIME, atime);
        b.putLong(OFF_MTIME, mtime);
        b.putLong(OFF_CTIME, ctime);
        b.putInt(OFF_MAJOR, (int) major);
        b.putInt(OFF_MINOR, (int) minor);
        b.putLong(OFF_GOAL_META, goalMeta);
        b.putLong(OFF_GOAL_DATA, goalData);
        b.putLong(OFF_GENERATION, generation);
        b.putInt(OFF_FLAGS, flags);
        b.putInt(OFF_PAYLOAD_FORMAT, payloadFormat);
        b.putShort(OFF_HEIGHT, (short) height);
        b.putShort(OFF_DEPTH, (short) depth);
        b.putInt(OFF_ENTRIES, (int) entries);
        b.putLong(OFF_EATTR, eattr);
        b.putInt(OFF_ATIME_NSEC, (int) atimeNsec);
        b.putInt(OFF_MTIME_NSEC, (int) mtimeNsec);
        b.putInt(OFF_CTIME_NSEC, (int) ctimeNsec);
    }

    /** A builder-style start: a dinode of {@code mode} at {@code addr} with everything else zero. */
    public static Dinode create(Inum num, int mode) {
        return new Dinode(num, mode, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, num.addr(), num.addr(), 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0);
    }

    public static boolean isValidFileType(int mode) {
        switch (mode & S_IFMT) {
            case S_IFDIR: case S_IFREG: case S_IFLNK: case S_IFCHR: case S_IFBLK: case S_IFIFO: case S_IFSOCK:
                return true;
            default:
                return false;
        }
    }

    /** The Linux d_type for a mode ({@code (mode & S_IFMT) >> 12}). */
    public static int dType(int mode) {
        return (mode & S_IFMT) >>> 12;
    }

    public int fileType() {
        return mode & S_IFMT;
    }

    public boolean isDirectory() {
        return fileType() == S_IFDIR;
    }

    public boolean isRegular() {
        return fileType() == S_IFREG;
    }

    public boolean isSymlink() {
        return fileType() == S_IFLNK;
    }

    public boolean isStuffed() {
        return height == 0;
    }

    public boolean isExhashDir() {
        return isDirectory() && (flags & FLAG_EXHASH) != 0;
    }

    public boolean hasFlag(int flag) {
        return (flags & flag) != 0;
    }

    /** Block pointer {@code i} of the dinode's payload (height ≥ 1). */
    public static long pointer(ByteBuffer block, int i) {
        return Fields.bigEndian(block).getLong(PAYLOAD_OFFSET + 8 * i);
    }

    public static void setPointer(ByteBuffer block, int i, long ptr) {
        Fields.bigEndian(block).putLong(PAYLOAD_OFFSET + 8 * i, ptr);
    }

    /** A read-only view of the stuffed payload (first {@code size} bytes after the header). */
    public ByteBuffer stuffedData(ByteBuffer block) {
        int n = (int) Math.min(size, block.limit() - PAYLOAD_OFFSET);
        return block.duplicate().position(PAYLOAD_OFFSET).limit(PAYLOAD_OFFSET + n).slice().asReadOnlyBuffer();
    }

    public Dinode withSize(long newSize) {
        return new Dinode(num, mode, uid, gid, nlink, newSize, blocks, atime, mtime, ctime, major, minor,
                goalMeta, goalData, generation, flags, payloadFormat, height, depth, entries, eattr,
                atimeNsec, mtimeNsec, ctimeNsec);
    }

    public Dinode withBlocks(long newBlocks) {
        return new Dinode(num, mode, uid, gid, nlink, size, newBlocks, atime, mtime, ctime, major, minor,
                goalMeta, goalData, generation, flags, payloadFormat, height, depth, entries, eattr,
                atimeNsec, mtimeNsec, ctimeNsec);
    }

    public Dinode withNlink(long newNlink) {
        return new Dinode(num, mode, uid, gid, newNlink, size, blocks, atime, mtime, ctime, major, minor,
                goalMeta, goalData, generation, flags, payloadFormat, height, depth, entries, eattr,
                atimeNsec, mtimeNsec, ctimeNsec);
    }

    public Dinode withFlags(int newFlags) {
        return new Dinode(num, mode, uid, gid, nlink, size, blocks, atime, mtime, ctime, major, minor,
                goalMeta, goalData, generation, newFlags, payloadFormat, height, depth, entries, eattr,
                atimeNsec, mtimeNsec, ctimeNsec);
    }

    public Dinode withTimes(long sec, long nsec) {
        return new Dinode(num, mode, uid, gid, nlink, size, blocks, sec, sec, sec, major, minor,
                goalMeta, goalData, generation, flags, payloadFormat, height, depth, entries, eattr,
                nsec, nsec, nsec);
    }

    public Dinode withGoals(long meta, long data) {
        return new Dinode(num, mode, uid, gid, nlink, size, blocks, atime, mtime, ctime, major, minor,
                meta, data, generation, flags, payloadFormat, height, depth, entries, eattr,
                atimeNsec, mtimeNsec, ctimeNsec);
    }

    public Dinode withLayout(int newHeight, int newDepth, long newEntries, int newPayloadFormat) {
        return new Dinode(num, mode, uid, gid, nlink, size, blocks, atime, mtime, ctime, major, minor,
                goalMeta, goalData, generation, flags, newPayloadFormat, newHeight, newDepth, newEntries, eattr,
                atimeNsec, mtimeNsec, ctimeNsec);
    }

    public Dinode withOwner(long newUid, long newGid) {
        return new Dinode(num, mode, newUid, newGid, nlink, size, blocks, atime, mtime, ctime, major, minor,
                goalMeta, goalData, generation, flags, payloadFormat, height, depth, entries, eattr,
                atimeNsec, mtimeNsec, ctimeNsec);
    }

    /** A character or block device's numbers ({@code di_major}, {@code di_minor}). */
    public Dinode withDevice(long newMajor, long newMinor) {
        return new Dinode(num, mode, uid, gid, nlink, size, blocks, atime, mtime, ctime, newMajor, newMinor,
                goalMeta, goalData, generation, flags, payloadFormat, height, depth, entries, eattr,
                atimeNsec, mtimeNsec, ctimeNsec);
    }

    public Dinode withEattr(long newEattr) {
        return new Dinode(num, mode, uid, gid, nlink, size, blocks, atime, mtime, ctime, major, minor,
                goalMeta, goalData, generation, flags, payloadFormat, height, depth, entries, newEattr,
                atimeNsec, mtimeNsec, ctimeNsec);
    }
}
