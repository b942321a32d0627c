package org.gfs2j.fs.ondisk;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.gfs2j.journal.format.Checksums;
import org.gfs2j.journal.format.CorruptMetadataException;

/**
 * {@code gfs2_dirent}: a 40-byte header followed by the name (spec 7.1-7.3).
 *
 * <pre>
 *  0 de_inum.no_formal_ino (u64)   8 de_inum.no_addr (u64)   16 de_hash (u32)
 * 20 de_rec_len (u16)   22 de_name_len (u16)   24 de_type (u16)   26 de_rahead (u16)
 * 28 de_cookie (u32, meaningless on disk)      32 pad (8)         40 name ...
 * </pre>
 *
 * Dirents tile a region (bytes 232.. of a linear directory's dinode block, 104.. of a leaf) at
 * 8-byte aligned offsets, the last one's rec_len reaching the block end. An entry whose inum is
 * zero is a sentinel (unused); only the first entry of a block may be one.
 */
public record Dirent(Inum inum, int hash, int recLen, int type, int rahead, byte[] name) {
    public static final int OFF_INUM = 0;
    public static final int OFF_HASH = 16;
    public static final int OFF_REC_LEN = 20;
    public static final int OFF_NAME_LEN = 22;
    public static final int OFF_TYPE = 24;
    public static final int OFF_RAHEAD = 26;
    public static final int OFF_COOKIE = 28;
    public static final int OFF_PAD = 32;
    public static final int OFF_NAME = 40;
    /** Header size. */
    public static final int SIZE = 40;
    public static final int MAX_NAME = 255;

    public static final int DT_FIFO = 1;
    public static final int DT_CHR = 2;
    public static final int DT_DIR = 4;
    public static final int DT_BLK = 6;
    public static final int DT_REG = 8;
    public static final int DT_LNK = 10;
    public static final int DT_SOCK = 12;
    private static final String S = "directory entry";

    /** Minimal record size of an entry with an {@code nameLen}-byte name. */
    public static int direntSize(int nameLen) {
        return (SIZE + nameLen + 7) & ~7;
    }

    /** A live entry for {@code name} (hash computed) with the given record length. */
    public static Dirent of(String name, Inum inum, int type, int recLen) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        return new Dirent(inum, Checksums.gfs2Hash(n), recLen, type, 0, n);
    }

    /** An unused (sentinel) entry spanning {@code recLen} bytes. */
    public static Dirent sentinel(int recLen) {
        return new Dirent(Inum.ZERO, 0, recLen, 0, 0, new byte[0]);
    }

    /**
     * Decodes the entry at {@code off}, checking rec_len (multiple of 8, ≥ header + name, inside
     * the buffer) and name_len (≤ 255).
     */
    public static Dirent decode(ByteBuffer buf, int off, long blockNo) throws CorruptMetadataException {
        Fields f = new Fields(buf, off, blockNo, S + " at offset " + off);
        Inum inum = Inum.decode(buf, off + OFF_INUM, blockNo, S, "de_inum");
        int hash = f.i32(OFF_HASH, "de_hash");
        int recLen = f.u16(OFF_REC_LEN, "de_rec_len");
        int nameLen = f.u16(OFF_NAME_LEN, "de_name_len");
        int type = f.u16(OFF_TYPE, "de_type");
        int rahead = f.u16(OFF_RAHEAD, "de_rahead");
        f.bytes(OFF_PAD, 8, "de_pad");
        if (recLen < SIZE || (recLen & 7) != 0) {
            throw f.corrupt("de_rec_len", recLen + " is not a multiple of 8 of at least " + SIZE);
        }
        if (off + recLen > buf.limit()) {
            throw f.corrupt("de_rec_len", recLen + " runs past the end of the block");
        }
        if (nameLen > MAX_NAME) {
            throw f.corrupt("de_name_len", nameLen + " exceeds " + MAX_NAME);
        }
        boolean live = inum.formalIno() != 0 && inum.addr() != 0;
        if (live && (nameLen == 0 || SIZE + nameLen > recLen)) {
            throw f.corrupt("de_name_len", nameLen + " does not fit rec_len " + recLen);
        }
        byte[] name = live || SIZE + nameLen <= recLen ? f.bytes(OFF_NAME, nameLen, "de_name") : new byte[0];
        return new Dirent(inum, hash, recLen, type, rahead, name);
    }

    /** Writes the header and name at {@code off}, zeroing the rest of the record. */
    public void encode(ByteBuffer buf, int off) {
        Fields.requireRoom(buf, off, recLen, S);
        if (recLen < SIZE + name.length || (recLen & 7) != 0) {
            throw new IllegalArgumentException("rec_len " + recLen + " cannot hold a " + name.length + "-byte name");
        }
        ByteBuffer b = Fields.bigEndian(buf);
        Fields.zero(b, off, off + recLen);
        inum.encode(b, off + OFF_INUM);
        b.putInt(off + OFF_HASH, hash);
        b.putShort(off + OFF_REC_LEN, (short) recLen);
        b.putShort(off + OFF_NAME_LEN, (short) name.length);
        b.putShort(off + OFF_TYPE, (short) type);
        b.putShort(off + OFF_RAHEAD, (short) rahead);
        b.put(off + OFF_NAME, name);
    }

    /** Rewrites only the rec_len field of the entry at {@code off}. */
    public static void setRecLen(ByteBuffer buf, int off, int recLen) {
        Fields.bigEndian(buf).putShort(off + OFF_REC_LEN, (short) recLen);
    }

    public static int recLenAt(ByteBuffer buf, int off) {
        return Fields.bigEndian(buf).getShort(off + OFF_REC_LEN) & 0xffff;
    }

    public boolean isSentinel() {
        return inum.formalIno() == 0 || inum.addr() == 0;
    }

    public String nameString() {
        return new String(name, StandardCharsets.UTF_8);
    }

    /** Bytes this entry needs: direntSize(name) for a live one, 0 for a sentinel. */
    public int usedSize() {
        return isSentinel() ? 0 : direntSize(name.length);
    }

    /** Free bytes after the entry's own record that a new entry could take. */
    public int freeSpace() {
        return recLen - usedSize();
    }

    public boolean nameEquals(byte[] other) {
        return Arrays.equals(name, other);
    }

    public Dirent withRecLen(int newRecLen) {
        return new Dirent(inum, hash, newRecLen, type, rahead, name);
    }

    /** An entry together with its offset in the block. */
    public record Located(int offset, Dirent dirent) {
    }

    /**
     * Walks the dirents tiling {@code buf} from {@code start} to the end, checking the tiling and
     * that only the first entry may be a sentinel. Returns every entry, sentinels included.
     */
    public static List<Located> walk(ByteBuffer buf, int start, long blockNo) throws CorruptMetadataException {
        List<Located> out = new ArrayList<>();
        int off = start;
        int end = buf.limit();
        while (off < end) {
            if (end - off < SIZE) {
                throw new CorruptMetadataException(blockNo, S + " at offset " + off, "de_rec_len",
                        "entries do not tile the block: " + (end - off) + " bytes left over");
            }
            Dirent d = decode(buf, off, blockNo);
            if (d.isSentinel() && off != start) {
                throw new CorruptMetadataException(blockNo, S + " at offset " + off, "de_inum",
                        "zero inode number in an entry that is not the first of its block");
            }
            out.add(new Located(off, d));
            off += d.recLen;
        }
        return out;
    }

    /** The live entries of a walk. */
    public static List<Located> live(List<Located> all) {
        List<Located> out = new ArrayList<>(all.size());
        for (Located l : all) {
            if (!l.dirent.isSentinel()) {
                out.add(l);
            }
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Dirent d && inum.equals(d.inum) && hash == d.hash && recLen == d.recLen
                && type == d.type && rahead == d.rahead && Arrays.equals(name, d.name);
    }

    @Override
    public int hashCode() {
        return 31 * inum.hashCode() + Arrays.hashCode(name);
    }

    @Override
    public String toString() {
        return "Dirent[" + nameString() + " -> " + inum + ", hash=" + Integer.toHexString(hash) + ", recLen="
                + recLen + ", type=" + type + "]";
    }
}
