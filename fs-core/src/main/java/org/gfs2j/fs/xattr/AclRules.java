package org.gfs2j.fs.xattr;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.gfs2j.fs.cache.FsTransaction;
import org.gfs2j.fs.glock.GlockName;
import org.gfs2j.fs.mount.Gfs2FileSystem;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.ondisk.PosixAcl;
import org.gfs2j.fs.vfs.FsException;

/**
 * The POSIX ACL rules a file system must apply itself under FUSE with FUSE_POSIX_ACL (the kernel
 * checks permissions against the ACLs but leaves their upkeep to the file system), as Linux's
 * fs/posix_acl.c applies them for gfs2:
 *
 * <ul>
 * <li>creation ({@link #forCreate}, {@link #applyOnCreate}): under a directory with a default
 * ACL the new inode's mode and access ACL come from that ACL masked by the creation mode
 * (posix_acl_create; no umask), a directory also inherits the default ACL, a symlink gets nothing;
 * <li>chmod ({@link #chmod}): the access ACL's USER_OBJ, MASK (or GROUP_OBJ) and OTHER follow the
 * new mode (posix_acl_chmod);
 * <li>setting {@code system.posix_acl_access} ({@link #setAccess}) sets the mode's rwx bits from
 * the ACL, and an ACL that says no more than the mode is stored as the mode alone
 * (posix_acl_update_mode);
 * <li>values are validated as posix_acl_from_xattr and posix_acl_valid do ({@link #parse}).
 * </ul>
 *
 * The caller holds the inode's glock (and the parent's for creation) and owns the transaction.
 */
public final class AclRules {
    /** Blocks {@link #chmod} may change besides the dinode: the EA block holding the ACL. */
    public static final int CHMOD_BLOCKS = 1;
    private static final int S_ISGID = 02000;

    private final XattrWriter writer;
    private final int bsize;

    public AclRules(Gfs2FileSystem fs, XattrWriter writer) {
        this.writer = writer;
        this.bsize = fs.geo.bsize();
    }

    /**
     * An ACL value as setxattr(2) passes it: null for "no ACL" (an empty value or a header without
     * entries, which remove the ACL); EINVAL for a malformed or invalid ACL, EOPNOTSUPP for another
     * version, E2BIG for more entries than GFS2 stores. Ids of entries other than named users and
     * groups are normalized to -1, as the kernel writes them.
     */
    public static PosixAcl parse(byte[] value, int bsize) throws FsException {
        if (value == null || value.length == 0) {
            return null;
        }
        if (value.length < PosixAcl.HEADER_SIZE) {
            throw new FsException(FsException.EINVAL, "ACL value of " + value.length + " bytes has no header");
        }
        ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != PosixAcl.VERSION) {
            throw new FsException(FsException.EOPNOTSUPP, "ACL version " + b.getInt(0) + " is not 2");
        }
        if ((value.length - PosixAcl.HEADER_SIZE) % PosixAcl.ENTRY_SIZE != 0) {
            throw new FsException(FsException.EINVAL, "ACL value of " + value.length + " bytes is not 4 + 8 per entry");
        }
        int count = (value.length - PosixAcl.HEADER_SIZE) / PosixAcl.ENTRY_SIZE;
        if (count == 0) {
            return null;
        }
        List<PosixAcl.Entry> entries = new ArrayList<>(count);
        for (int off = PosixAcl.HEADER_SIZE; off < value.length; off += PosixAcl.ENTRY_SIZE) {
            int tag = b.getShort(off) & 0xffff;
            int perm = b.getShort(off + 2) & 0xffff;
            long id = Integer.toUnsignedLong(b.getInt(off + 4));
            boolean named = tag == PosixAcl.USER || tag == PosixAcl.GROUP;
            if (named && id == PosixAcl.UNDEFINED_ID) {
                throw new FsException(FsException.EINVAL, "ACL entry names the invalid id -1");
            }
            entries.add(new PosixAcl.Entry(tag, perm, named ? id : PosixAcl.UNDEFINED_ID));
        }
        PosixAcl acl = new PosixAcl(entries);
        String problem = acl.problem();
        if (problem != null) {
            throw new FsException(FsException.EINVAL, "invalid ACL: " + problem);
        }
        if (count > PosixAcl.maxEntries(bsize)) {
            throw new FsException(FsException.E2BIG, "ACL of " + count + " entries; GFS2 with " + bsize
                    + "-byte blocks stores at most " + PosixAcl.maxEntries(bsize));
        }
        return acl;
    }

    // ---------------------------------------------------------------- creation

    /**
     * What a new inode gets: its mode, its access ACL and (directories) its default ACL; both ACLs
     * null when the parent has no default ACL (then {@code mode} is used as given: the caller has
     * applied the umask) or the inode is a symlink.
     */
    public record Inherited(int mode, PosixAcl access, PosixAcl defaultAcl) {
        public boolean writesXattrs() {
            return access != null || defaultAcl != null;
        }
    }

    /**
     * The mode and ACLs for a new inode of {@code mode} (type and permission bits, umask NOT
     * applied when the parent has a default ACL) in {@code parentIno}; reads the parent's default
     * ACL from {@code io} (the caller holds the parent's glock).
     */
    public Inherited forCreate(XattrWriter.Blocks io, long parentIno, int mode) throws IOException {
        if ((mode & Dinode.S_IFMT) == Dinode.S_IFLNK) {
            return new Inherited(mode, null, null);
        }
        PosixAcl def = defaultAcl(io, parentIno);
        if (def == null) {
            return new Inherited(mode, null, null);
        }
        PosixAcl.Inherited i = def.inheritWithMode(mode);
        boolean dir = (mode & Dinode.S_IFMT) == Dinode.S_IFDIR;
        return new Inherited(i.mode(), i.access(), dir ? def : null);
    }

    /** The default ACL of {@code dirIno}, or null. A stored value that does not decode is EIO. */
    public PosixAcl defaultAcl(XattrWriter.Blocks io, long dirIno) throws IOException {
        byte[] v = writer.get(io, dirIno, XattrName.acl(true));
        return v == null ? null : PosixAcl.decode(v, dirIno);
    }

    /** The access ACL of {@code ino}, or null. */
    public PosixAcl accessAcl(XattrWriter.Blocks io, long ino) throws IOException {
        byte[] v = writer.get(io, ino, XattrName.acl(false));
        return v == null ? null : PosixAcl.decode(v, ino);
    }

    /**
     * Writes the inherited ACLs of a new inode (default first, then access, as gfs2 does) in the
     * creating transaction; the dinode already carries {@link Inherited#mode}.
     */
    public void applyOnCreate(FsTransaction tx, long ino, Inherited inh) throws IOException {
        if (inh.defaultAcl() != null) {
            writer.set(tx, ino, XattrName.acl(true), inh.defaultAcl().encode(), 0);
        }
        if (inh.access() != null) {
            writer.set(tx, ino, XattrName.acl(false), inh.access().encode(), 0);
        }
    }

    // ---------------------------------------------------------------- chmod

    /**
     * After the dinode's mode became {@code newMode} in {@code tx}: the access ACL, if any, takes
     * the new owner, group-class and other bits (rewritten where it is: same size).
     */
    public void chmod(FsTransaction tx, long ino, int newMode) throws IOException {
        GlockName g = GlockName.inode(ino);
        XattrWriter.Blocks io = b -> tx.read(b, g);
        if (Dinode.decode(io.read(ino), ino).eattr() == 0) {
            return;
        }
        PosixAcl acl = accessAcl(io, ino);
        if (acl != null) {
            writer.overwrite(tx, ino, XattrName.acl(false), acl.chmod(newMode).encode());
        }
    }

    // ---------------------------------------------------------------- setxattr of an ACL

    /**
     * setxattr/removexattr of {@code system.posix_acl_access} ({@code acl} null: remove): the mode
     * follows the ACL, an ACL equivalent to the mode is not stored, {@code killSgid} (the FUSE
     * SETXATTR_ACL_KILL_SGID flag: the caller is not in the file's group) clears S_ISGID. Returns
     * the number of metadata blocks freed.
     */
    public int setAccess(FsTransaction tx, long ino, PosixAcl acl, boolean killSgid) throws IOException {
        GlockName g = GlockName.inode(ino);
        Dinode d = Dinode.decode(tx.read(ino, g), ino);
        int mode = d.mode();
        PosixAcl store = acl;
        if (acl != null) {
            mode = acl.applyToMode(mode);
            if (acl.isEquivalentToMode()) {
                store = null;
            }
            if (killSgid) {
                mode &= ~S_ISGID;
            }
        }
        int freed = store(tx, ino, XattrName.acl(false), store);
        if (mode != d.mode()) {
            ByteBuffer db = tx.modify(ino, g);
            db.putInt(Dinode.OFF_MODE, mode);
            XattrWriter.setCtime(db, System.currentTimeMillis() * 1_000_000L);
        }
        return freed;
    }

    /**
     * setxattr/removexattr of {@code system.posix_acl_default}: EACCES when setting one on a
     * non-directory (removing one there is a no-op). Returns the number of metadata blocks freed.
     */
    public int setDefault(FsTransaction tx, long ino, PosixAcl acl) throws IOException {
        Dinode d = Dinode.decode(tx.read(ino, GlockName.inode(ino)), ino);
        if (!d.isDirectory()) {
            if (acl != null) {
                throw new FsException(FsException.EACCES, "default ACLs exist only on directories");
            }
            return 0;
        }
        return store(tx, ino, XattrName.acl(true), acl);
    }

    /** Sets or removes an ACL attribute; removing one that is absent is not an error (gfs2_set_acl). */
    private int store(FsTransaction tx, long ino, XattrName n, PosixAcl acl) throws IOException {
        if (acl != null) {
            return writer.set(tx, ino, n, acl.encode(), 0);
        }
        try {
            return writer.remove(tx, ino, n);
        } catch (FsException e) {
            if (e.errno() == FsException.ENODATA) {
                return 0;
            }
            throw e;
        }
    }
}
