package org.gfs2j.fs.ondisk;

import java.nio.ByteBuffer;
import java.util.List;
import org.gfs2j.journal.format.CorruptMetadataException;
import org.gfs2j.journal.format.MetaHeader;
import org.gfs2j.journal.format.MetaType;

/**
 * {@code gfs2_leaf}: the 104-byte header of a directory leaf block (spec 7.7); dirents tile the
 * rest of the block from offset 104.
 *
 * <pre>
 *   0 meta header (LF, 600)  24 lf_depth (u16)  26 lf_entries (u16)  28 lf_dirent_format (u32)
 *  32 lf_next (u64)          40 lf_inode (u64)  48 lf_dist (u32)     52 lf_nsec (u32)
 *  56 lf_sec (u64)           64 reserved (40)  104 dirents ...
 * </pre>
 */
public record Leaf(int depth, int entries, int direntFormat, long next, long inode, long dist,
                   long nsec, long sec) {
    public static final int OFF_DEPTH = 24;
    public static final int OFF_ENTRIES = 26;
    public static final int OFF_DIRENT_FORMAT = 28;
    public static final int OFF_NEXT = 32;
    public static final int OFF_INODE = 40;
    public static final int OFF_DIST = 48;
    public static final int OFF_NSEC = 52;
    public static final int OFF_SEC = 56;
    public static final int OFF_RESERVED = 64;
    /** Header size; the first dirent starts here. */
    public static final int SIZE = 104;
    public static final int DIRENT_FORMAT = 1200;
    private static final String S = "directory leaf";

    /** A fresh leaf header with no entries. */
    public static Leaf empty(int depth, long inode) {
        return new Leaf(depth, 0, DIRENT_FORMAT, 0, inode, 0, 0, 0);
    }

    /** Decodes the header; the old-kernel dirent format {@code 1200 << 16} is read as 1200. */
    public static Leaf decode(ByteBuffer block, long blockNo) throws CorruptMetadataException {
        MetaHeader.check(block, blockNo, MetaType.LF);
        Fields f = new Fields(block, 0, blockNo, S);
        int depth = f.u16(OFF_DEPTH, "lf_depth");
        int entries = f.u16(OFF_ENTRIES, "lf_entries");
        int format = f.i32(OFF_DIRENT_FORMAT, "lf_dirent_format");
        long next = f.u64(OFF_NEXT, "lf_next");
        long inode = f.u64(OFF_INODE, "lf_inode");
        long dist = f.u32(OFF_DIST, "lf_dist");
        long nsec = f.u32(OFF_NSEC, "lf_nsec");
        long sec = f.u64(OFF_SEC, "lf_sec");
        f.bytes(OFF_RESERVED, SIZE - OFF_RESERVED, "lf_reserved");
        if (format == DIRENT_FORMAT << 16) {
            format = DIRENT_FORMAT;
        }
        if (format != DIRENT_FORMAT) {
            throw f.corrupt("lf_dirent_format", format + ", expected " + DIRENT_FORMAT);
        }
        if (depth > Geometry.MAX_DIR_DEPTH) {
            throw f.corrupt("lf_depth", depth + " exceeds " + Geometry.MAX_DIR_DEPTH);
        }
        return new Leaf(depth, entries, format, next, inode, dist, nsec, sec);
    }

    /** Writes the 104-byte header; the dirent area is untouched. */
    public void encode(ByteBuffer block) {
        Fields.requireRoom(block, 0, SIZE, S);
        ByteBuffer b = Fields.bigEndian(block);
        Fields.zero(b, 0, SIZE);
        MetaHeader.encode(b, MetaType.LF);
        b.putShort(OFF_DEPTH, (short) depth);
        b.putShort(OFF_ENTRIES, (short) entries);
        b.putInt(OFF_DIRENT_FORMAT, direntFormat);
        b.putLong(OFF_NEXT, next);
        b.putLong(OFF_INODE, inode);
        b.putInt(OFF_DIST, (int) dist);
        b.putInt(OFF_NSEC, (int) nsec);
        b.putLong(OFF_SEC, sec);
    }

    /** Writes an empty leaf: this header (entries 0) and one sentinel spanning the dirent area. */
    public void encodeEmpty(ByteBuffer block) {
        withEntries(0).encode(block);
        Dirent.sentinel(block.limit() - SIZE).encode(block, SIZE);
    }

    /** Walks the leaf's dirents, checking that lf_entries equals the number of live ones. */
    public List<Dirent.Located> dirents(ByteBuffer block, long blockNo) throws CorruptMetadataException {
        List<Dirent.Located> all = Dirent.walk(block, SIZE, blockNo);
        int live = Dirent.live(all).size();
        if (live != entries) {
            throw new CorruptMetadataException(blockNo, S, "lf_entries", entries + ", the leaf holds " + live);
        }
        return all;
    }

    public Leaf withEntries(int n) {
        return new Leaf(depth, n, direntFormat, next, inode, dist, nsec, sec);
    }

    public Leaf withDepth(int d) {
        return new Leaf(d, entries, direntFormat, next, inode, dist, nsec, sec);
    }

    public Leaf withNext(long n) {
        return new Leaf(depth, entries, direntFormat, n, inode, dist, nsec, sec);
    }
}
