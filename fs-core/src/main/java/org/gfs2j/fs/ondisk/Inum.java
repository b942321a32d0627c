package org.gfs2j.fs.ondisk;

import java.nio.ByteBuffer;
import org.gfs2j.journal.format.CorruptMetadataException;

/**
 * {@code gfs2_inum}: an inode's formal number and its dinode block address (16 bytes).
 *
 * <pre>
 *  0                8                16
 *  +----------------+----------------+
 *  | no_formal_ino  |    no_addr     |
 *  +----------------+----------------+
 * </pre>
 *
 * {@code no_addr} is the real identity (Linux st_ino); the formal number is a generation tag.
 */
public record Inum(long formalIno, long addr) {
    public static final int OFF_FORMAL_INO = 0;
    public static final int OFF_ADDR = 8;
    public static final int SIZE = 16;
    public static final Inum ZERO = new Inum(0, 0);

    /** Decodes the inum at {@code base}; {@code field} prefixes the field names in errors. */
    public static Inum decode(ByteBuffer buf, int base, long blockNo, String structure, String field)
            throws CorruptMetadataException {
        Fields f = new Fields(buf, base, blockNo, structure);
        return new Inum(f.u64(OFF_FORMAL_INO, field + ".no_formal_ino"), f.u64(OFF_ADDR, field + ".no_addr"));
    }

    public static Inum decode(ByteBuffer buf, int base) throws CorruptMetadataException {
        return decode(buf, base, -1, "inum", "inum");
    }

    public void encode(ByteBuffer buf, int base) {
        ByteBuffer b = Fields.bigEndian(buf);
        b.putLong(base + OFF_FORMAL_INO, formalIno);
        b.putLong(base + OFF_ADDR, addr);
    }

    /** True for the all-zero inum of an unused directory entry. */
    public boolean isZero() {
        return formalIno == 0 && addr == 0;
    }

    @Override
    public String toString() {
        return formalIno + "/" + addr;
    }
}
