package org.gfs2j.fs.ondisk;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.gfs2j.journal.format.CorruptMetadataException;

/**
 * A POSIX ACL as stored in the value of the {@code system.posix_acl_access} /
 * {@code system.posix_acl_default} EAs (spec 9.4): Linux's posix_acl_xattr format, the one
 * <b>little-endian</b> structure of GFS2.
 *
 * <pre>
 *  0 a_version (u32 LE) = 2
 *  4 + 8k: e_tag (u16 LE)   6 + 8k: e_perm (u16 LE)   8 + 8k: e_id (u32 LE)
 * </pre>
 *
 * Entries are sorted by tag then id; USER_OBJ, GROUP_OBJ, OTHER are mandatory, MASK too when a
 * named USER/GROUP entry exists.
 */
public record PosixAcl(List<Entry> entries) {
    public static final int VERSION = 2;
    public static final int HEADER_SIZE = 4;
    public static final int ENTRY_SIZE = 8;
    public static final int USER_OBJ = 0x01;
    public static final int USER = 0x02;
    public static final int GROUP_OBJ = 0x04;
    public static final int GROUP = 0x08;
    public static final int MASK = 0x10;
    public static final int OTHER = 0x20;
    public static final long UNDEFINED_ID = 0xFFFFFFFFL;
    public static final int READ = 4;
    public static final int WRITE = 2;
    public static final int EXECUTE = 1;
    public static final String ACCESS_NAME = "posix_acl_access";
    public static final String DEFAULT_NAME = "posix_acl_default";
    /** The full xattr names user space (and FUSE) use: the EA names above in the "system." namespace. */
    public static final String ACCESS_XATTR = "system." + ACCESS_NAME;
    public static final String DEFAULT_XATTR = "system." + DEFAULT_NAME;

    /** One ACL entry; {@code id} is a uid/gid for USER/GROUP and {@link #UNDEFINED_ID} otherwise. */
    public record Entry(int tag, int perm, long id) {
        public static Entry of(int tag, int perm) {
            return new Entry(tag, perm, UNDEFINED_ID);
        }
    }

    public PosixAcl {
        entries = List.copyOf(entries);
    }

    /** Largest entry count the kernel accepts for block size {@code bsize}. */
    public static int maxEntries(int bsize) {
        return (300 << Integer.numberOfTrailingZeros(bsize)) >> 12;
    }

    /** Decodes and validates a value; {@code blockNo} (or -1) is named in errors. */
    public static PosixAcl decode(byte[] value, long blockNo) throws CorruptMetadataException {
        if (value.length < HEADER_SIZE || (value.length - HEADER_SIZE) % ENTRY_SIZE != 0) {
            throw new CorruptMetadataException(blockNo, "POSIX ACL", "length", value.length
                    + " bytes is not 4 + 8 per entry");
        }
        ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        int version = b.getInt(0);
        if (version != VERSION) {
            throw new CorruptMetadataException(blockNo, "POSIX ACL", "a_version", version + ", expected 2");
        }
        List<Entry> list = new ArrayList<>();
        for (int off = HEADER_SIZE; off < value.length; off += ENTRY_SIZE) {
            list.add(new Entry(b.getShort(off) & 0xffff, b.getShort(off + 2) & 0xffff,
                    Integer.toUnsignedLong(b.getInt(off + 4))));
        }
        PosixAcl acl = new PosixAcl(list);
        String problem = acl.problem();
        if (problem != null) {
            throw new CorruptMetadataException(blockNo, "POSIX ACL", "entries", problem);
        }
        return acl;
    }

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE + ENTRY_SIZE * entries.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(VERSION);
        for (Entry e : entries) {
            b.putShort((short) e.tag).putShort((short) e.perm).putInt((int) e.id);
        }
        return b.array();
    }

    /** Why this ACL is invalid, or null when it is valid. */
    public String problem() {
        int prevTag = 0;
        long prevId = -1;
        int userObj = 0;
        int groupObj = 0;
        int other = 0;
        int mask = 0;
        int named = 0;
        for (Entry e : entries) {
            if ((e.perm & ~7) != 0) {
                return "permission bits 0x" + Integer.toHexString(e.perm) + " beyond rwx";
            }
            switch (e.tag) {
                case USER_OBJ: userObj++; break;
                case GROUP_OBJ: groupObj++; break;
                case OTHER: other++; break;
                case MASK: mask++; break;
                case USER: case GROUP: named++; break;
                default: return "unknown tag 0x" + Integer.toHexString(e.tag);
            }
            boolean namedTag = e.tag == USER || e.tag == GROUP;
            if (!namedTag && e.id != UNDEFINED_ID && e.id != 0) {
                // Linux writes -1; some tools leave 0. Anything else is not an ACL we wrote.
                return "tag 0x" + Integer.toHexString(e.tag) + " carries id " + e.id;
            }
            if (e.tag < prevTag || (e.tag == prevTag && (!namedTag || e.id <= prevId))) {
                return "entries not sorted by tag and id, or duplicated";
            }
            prevTag = e.tag;
            prevId = namedTag ? e.id : -1;
        }
        if (userObj != 1 || groupObj != 1 || other != 1) {
            return "USER_OBJ, GROUP_OBJ and OTHER must each appear once";
        }
        if (named > 0 && mask != 1) {
            return "a MASK entry is required with named USER/GROUP entries";
        }
        if (mask > 1) {
            return "more than one MASK entry";
        }
        return null;
    }

    public boolean isValid() {
        return problem() == null;
    }

    /** The minimal ACL equivalent to the permission bits of {@code mode}. */
    public static PosixAcl fromMode(int mode) {
        return new PosixAcl(List.of(Entry.of(USER_OBJ, (mode >> 6) & 7), Entry.of(GROUP_OBJ, (mode >> 3) & 7),
                Entry.of(OTHER, mode & 7)));
    }

    /** True when the ACL says no more than the mode bits (so the kernel stores no access ACL). */
    public boolean isEquivalentToMode() {
        for (Entry e : entries) {
            if (e.tag != USER_OBJ && e.tag != GROUP_OBJ && e.tag != OTHER) {
                return false;
            }
        }
        return true;
    }

    private Entry find(int tag) {
        for (Entry e : entries) {
            if (e.tag == tag) {
                return e;
            }
        }
        return null;
    }

    /**
     * {@code mode} with its rwx bits replaced by this ACL's: owner = USER_OBJ, group = MASK if
     * present else GROUP_OBJ, other = OTHER. File type, setuid/setgid/sticky are kept.
     */
    public int applyToMode(int mode) {
        Entry group = find(MASK) != null ? find(MASK) : find(GROUP_OBJ);
        return (mode & ~0777) | (find(USER_OBJ).perm << 6) | (group.perm << 3) | find(OTHER).perm;
    }

    /** This ACL after chmod to {@code mode}: USER_OBJ, MASK (or GROUP_OBJ) and OTHER take the new bits. */
    public PosixAcl chmod(int mode) {
        boolean hasMask = find(MASK) != null;
        List<Entry> out = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            int perm = e.perm;
            if (e.tag == USER_OBJ) {
                perm = (mode >> 6) & 7;
            } else if (e.tag == MASK || (e.tag == GROUP_OBJ && !hasMask)) {
                perm = (mode >> 3) & 7;
            } else if (e.tag == OTHER) {
                perm = mode & 7;
            }
            out.add(new Entry(e.tag, perm, e.id));
        }
        return new PosixAcl(out);
    }

    /**
     * The access ACL a new inode gets from its parent's default ACL (this) and the creation mode:
     * USER_OBJ, MASK (or GROUP_OBJ) and OTHER are masked by the mode's bits. Apply the result to
     * the mode with {@link #applyToMode}.
     */
    public PosixAcl inheritFor(int mode) {
        boolean hasMask = find(MASK) != null;
        List<Entry> out = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            int perm = e.perm;
            if (e.tag == USER_OBJ) {
                perm &= (mode >> 6) & 7;
            } else if (e.tag == MASK || (e.tag == GROUP_OBJ && !hasMask)) {
                perm &= (mode >> 3) & 7;
            } else if (e.tag == OTHER) {
                perm &= mode & 7;
            }
            out.add(new Entry(e.tag, perm, e.id));
        }
        return new PosixAcl(out);
    }

    /**
     * What a new inode gets at creation under a parent with this default ACL: its mode (the rwx
     * bits the {@link #inheritFor inherited} ACL implies, other bits of {@code mode} kept) and its
     * access ACL, null when that ACL is equivalent to the mode and so is not stored.
     */
    public record Inherited(int mode, PosixAcl access) {
    }

    /** {@link #inheritFor} together with the resulting mode; the umask is not applied. */
    public Inherited inheritWithMode(int mode) {
        PosixAcl access = inheritFor(mode);
        return new Inherited(access.applyToMode(mode), access.isEquivalentToMode() ? null : access);
    }

    /** The same entries sorted into the required order. */
    public PosixAcl sorted() {
        List<Entry> s = new ArrayList<>(entries);
        s.sort(Comparator.comparingInt(Entry::tag).thenComparingLong(Entry::id));
        return new PosixAcl(s);
    }
}
