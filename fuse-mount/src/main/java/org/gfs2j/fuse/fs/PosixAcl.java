package org.gfs2j.fuse.fs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import org.gfs2j.fuse.protocol.Errno;

/**
 * A POSIX ACL in the xattr format the kernel sends and GFS2 stores ({@code system.posix_acl_*}),
 * and the mode/ACL synchronisation rules the server must apply because the kernel does not
 * (spec §7.1): setting an access ACL sets the mode, chmod rewrites the ACL, and creation in a
 * directory with a default ACL inherits it instead of applying the umask.
 * <pre>
 * header: a_version u32 = 2
 * entry (8 bytes, repeated): e_tag u16 | e_perm u16 (r 4, w 2, x 1) | e_id u32 (0xFFFFFFFF for *_OBJ, MASK, OTHER)
 * </pre>
 */
public final class PosixAcl {
    public static final String ACCESS = "system.posix_acl_access";
    public static final String DEFAULT = "system.posix_acl_default";
    public static final int VERSION = 2;
    public static final int USER_OBJ = 0x01;
    public static final int USER = 0x02;
    public static final int GROUP_OBJ = 0x04;
    public static final int GROUP = 0x08;
    public static final int MASK = 0x10;
    public static final int OTHER = 0x20;
    private static final int UNDEFINED_ID = -1;

    /** One ACL entry. */
    public record AclEntry(int tag, int perm, int id) {
    }

    private final List<AclEntry> entries;

    private PosixAcl(List<AclEntry> entries) {
        this.entries = List.copyOf(entries);
    }

    public List<AclEntry> entries() {
        return entries;
    }

    /** Decodes and validates; EINVAL for a malformed ACL (bad version, size, tags, missing base entries). */
    public static PosixAcl decode(byte[] value) throws ErrnoException {
        if (value.length < 4 || (value.length - 4) % 8 != 0) {
            throw new ErrnoException(Errno.EINVAL, "ACL of " + value.length + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt() != VERSION) {
            throw new ErrnoException(Errno.EINVAL, "ACL version");
        }
        List<AclEntry> list = new ArrayList<>();
        int seen = 0;
        boolean named = false;
        int prevTag = 0;
        while (b.hasRemaining()) {
            int tag = Short.toUnsignedInt(b.getShort());
            int perm = Short.toUnsignedInt(b.getShort());
            int id = b.getInt();
            if ((perm & ~7) != 0 || Integer.bitCount(tag) != 1 || tag > OTHER || tag < prevTag) {
                throw new ErrnoException(Errno.EINVAL, "ACL entry tag " + tag + " perm " + perm);
            }
            if ((tag == USER_OBJ || tag == GROUP_OBJ || tag == MASK || tag == OTHER) && (seen & tag) != 0) {
                throw new ErrnoException(Errno.EINVAL, "duplicate ACL entry " + tag);
            }
            named |= tag == USER || tag == GROUP;
            seen |= tag;
            prevTag = tag;
            list.add(new AclEntry(tag, perm, tag == USER || tag == GROUP ? id : UNDEFINED_ID));
        }
        int base = USER_OBJ | GROUP_OBJ | OTHER;
        if ((seen & base) != base || (named && (seen & MASK) == 0)) {
            throw new ErrnoException(Errno.EINVAL, "ACL lacks required entries");
        }
        return new PosixAcl(list);
    }

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(4 + 8 * entries.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(VERSION);
        for (AclEntry e : entries) {
            b.putShort((short) e.tag).putShort((short) e.perm).putInt(e.id);
        }
        return b.array();
    }

    private AclEntry find(int tag) {
        for (AclEntry e : entries) {
            if (e.tag == tag) {
                return e;
            }
        }
        return null;
    }

    /** Only the three base entries: the ACL says nothing the mode does not. */
    public boolean isEquivalentToMode() {
        return entries.size() == 3;
    }

    /** The mode with its rwx bits taken from the ACL (group bits from MASK when present). */
    public int applyToMode(int mode) {
        AclEntry group = find(MASK) != null ? find(MASK) : find(GROUP_OBJ);
        return (mode & ~0777) | (find(USER_OBJ).perm << 6) | (group.perm << 3) | find(OTHER).perm;
    }

    /** chmod: the ACL with USER_OBJ, MASK (or GROUP_OBJ) and OTHER rewritten from {@code mode}. */
    public PosixAcl withMode(int mode) {
        boolean hasMask = find(MASK) != null;
        List<AclEntry> out = new ArrayList<>();
        for (AclEntry e : entries) {
            int perm = e.perm;
            if (e.tag == USER_OBJ) {
                perm = (mode >> 6) & 7;
            } else if (e.tag == MASK || (e.tag == GROUP_OBJ && !hasMask)) {
                perm = (mode >> 3) & 7;
            } else if (e.tag == OTHER) {
                perm = mode & 7;
            }
            out.add(new AclEntry(e.tag, perm, e.id));
        }
        return new PosixAcl(out);
    }

    /** Result of inheriting a default ACL at creation. {@code access} is null if equivalent to the mode. */
    public record Inherited(int mode, PosixAcl access) {
    }

    /**
     * Creation in a directory with this default ACL: the new access ACL is this ACL with its
     * permissions limited by {@code mode} (USER_OBJ by owner bits, MASK or else GROUP_OBJ by group
     * bits, OTHER by other bits); the mode becomes what that ACL implies. The umask is not applied.
     */
    public Inherited inherit(int mode) {
        boolean hasMask = find(MASK) != null;
        List<AclEntry> out = new ArrayList<>();
        for (AclEntry e : entries) {
            int perm = e.perm;
            if (e.tag == USER_OBJ) {
                perm &= (mode >> 6) & 7;
            } else if (e.tag == MASK || (e.tag == GROUP_OBJ && !hasMask)) {
                perm &= (mode >> 3) & 7;
            } else if (e.tag == OTHER) {
                perm &= mode & 7;
            }
            out.add(new AclEntry(e.tag, perm, e.id));
        }
        PosixAcl access = new PosixAcl(out);
        int newMode = access.applyToMode(mode);
        return new Inherited(newMode, access.isEquivalentToMode() ? null : access);
    }
}
