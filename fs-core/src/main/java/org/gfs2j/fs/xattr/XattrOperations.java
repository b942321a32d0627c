package org.gfs2j.fs.xattr;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.gfs2j.fs.alloc.RgrpLocks;
import org.gfs2j.fs.cache.FsTransaction;
import org.gfs2j.fs.glock.GlockName;
import org.gfs2j.fs.glock.GlockState;
import org.gfs2j.fs.glock.Holder;
import org.gfs2j.fs.mount.Gfs2FileSystem;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.ondisk.EaHeader;
import org.gfs2j.fs.ondisk.PosixAcl;
import org.gfs2j.fs.vfs.FsException;
import org.gfs2j.journal.format.MetaHeader;
import org.gfs2j.journal.format.MetaType;

/**
 * setxattr/removexattr on the read-write file system, and the ACL hooks of create and chmod:
 * checks the request as Linux's VFS does (flags, name, size, namespace), takes the inode glock in
 * EX, the rgrp glocks, and runs one transaction through {@link XattrWriter} and {@link AclRules}.
 * The caller serializes modifications (ReadWriteGfs2Vfs's mutation lock).
 *
 * <p>Errors, in Linux's order: EINVAL for unknown flags, ERANGE for a name over 255 bytes, E2BIG
 * for a value over 64 KiB, EOPNOTSUPP for an unknown namespace (EINVAL for a bare prefix), EPERM
 * on immutable or append-only inodes, then EEXIST (XATTR_CREATE) / ENODATA (XATTR_REPLACE, or
 * removing a missing attribute), ERANGE when the EA layout cannot hold the value. ACL names:
 * EOPNOTSUPP on symlinks, EINVAL/EOPNOTSUPP/E2BIG for bad values, EACCES for a default ACL on a
 * non-directory; XATTR_CREATE/REPLACE are ignored and removing an absent ACL succeeds (as
 * gfs2_set_acl does).
 */
public final class XattrOperations {
    /**
     * A gfs2j flag beside XATTR_CREATE/XATTR_REPLACE for {@link #setxattr}: FUSE's
     * SETXATTR_ACL_KILL_SGID (the caller is not in the file's group): setting an access ACL clears
     * S_ISGID.
     */
    public static final int ACL_KILL_SGID = 1 << 16;
    private static final int KNOWN_FLAGS = XattrWriter.XATTR_CREATE | XattrWriter.XATTR_REPLACE | ACL_KILL_SGID;

    private final Gfs2FileSystem fs;
    private final XattrWriter writer;
    private final AclRules acls;

    public XattrOperations(Gfs2FileSystem fs) {
        this.fs = fs;
        this.writer = new XattrWriter(fs);
        this.acls = new AclRules(fs, writer);
    }

    public XattrWriter writer() {
        return writer;
    }

    public AclRules acls() {
        return acls;
    }

    /** setxattr(2) of {@code name} (with its namespace prefix) on inode {@code ino}. */
    public void setxattr(long ino, String name, byte[] value, int flags) throws IOException {
        if ((flags & ~KNOWN_FLAGS) != 0) {
            throw new FsException(FsException.EINVAL, "unknown setxattr flags 0x" + Integer.toHexString(flags));
        }
        byte[] v = value == null ? new byte[0] : value;
        checkNameLength(name);
        if (v.length > EaHeader.MAX_DATA_LEN) {
            throw new FsException(FsException.E2BIG, "attribute value longer than " + EaHeader.MAX_DATA_LEN + " bytes");
        }
        XattrName n = XattrName.parse(name, writer.fsFormat());
        GlockName g = GlockName.inode(ino);
        try (Holder h = fs.glocks.acquire(g, GlockState.EX)) {
            Dinode d = modifiableDinode(ino);
            boolean acl = n.type() == EaHeader.TYPE_SYSTEM;
            PosixAcl parsed = null;
            byte[] stored = v;
            if (acl) {
                if (d.isSymlink()) {
                    throw new FsException(FsException.EOPNOTSUPP, "symbolic links have no ACLs");
                }
                parsed = AclRules.parse(v, fs.geo.bsize());
                stored = parsed == null ? null : parsed.encode();
            } else {
                writer.checkSize(n, v.length);
            }
            XattrWriter.Blocks committed = b -> fs.cache.read(b, g);
            List<Long> oldEd = writer.edBlocksOf(committed, ino, n);
            int len = stored == null ? 0 : stored.length;
            int allocate = stored == null ? 0 : writer.blocksToAllocate(committed, ino, n, len);
            try (RgrpLocks rl = allocate > 0 ? fs.alloc.reserveRgrps(ino, allocate) : fs.alloc.lockRgrpsForFree(oldEd);
                 FsTransaction tx = FsTransaction.begin(fs.cache,
                         writer.logBound(n, len) + fs.alloc.logBlocksFor(fs.rgrps.size()), revokesFor(oldEd))) {
                fs.alloc.use(tx, rl);
                int freed;
                if (!acl) {
                    freed = writer.set(tx, ino, n, v, flags & (XattrWriter.XATTR_CREATE | XattrWriter.XATTR_REPLACE));
                } else if (n.isAccessAcl()) {
                    freed = acls.setAccess(tx, ino, parsed, (flags & ACL_KILL_SGID) != 0);
                } else {
                    freed = acls.setDefault(tx, ino, parsed);
                }
                commit(tx, freed);
            }
        }
    }

    /** removexattr(2) of {@code name} on inode {@code ino}. */
    public void removexattr(long ino, String name) throws IOException {
        checkNameLength(name);
        XattrName n = XattrName.parse(name, writer.fsFormat());
        GlockName g = GlockName.inode(ino);
        try (Holder h = fs.glocks.acquire(g, GlockState.EX)) {
            Dinode d = modifiableDinode(ino);
            boolean acl = n.type() == EaHeader.TYPE_SYSTEM;
            if (acl && d.isSymlink()) {
                throw new FsException(FsException.EOPNOTSUPP, "symbolic links have no ACLs");
            }
            List<Long> oldEd = writer.edBlocksOf(b -> fs.cache.read(b, g), ino, n);
            try (RgrpLocks rl = fs.alloc.lockRgrpsForFree(oldEd);
                 FsTransaction tx = FsTransaction.begin(fs.cache, 3 + fs.alloc.logBlocksFor(fs.rgrps.size()),
                         revokesFor(oldEd))) {
                fs.alloc.use(tx, rl);
                int freed;
                if (!acl) {
                    freed = writer.remove(tx, ino, n);
                } else if (n.isAccessAcl()) {
                    freed = acls.setAccess(tx, ino, null, false);
                } else {
                    freed = acls.setDefault(tx, ino, null);
                }
                commit(tx, freed);
            }
        }
    }

    /**
     * Creation hook, called with the parent's glock held: the mode and ACLs the new inode gets
     * ({@code mode} with the umask applied only when the parent has no default ACL).
     */
    public AclRules.Inherited inheritance(long parentIno, int mode) throws IOException {
        GlockName g = GlockName.inode(parentIno);
        return acls.forCreate(b -> fs.cache.read(b, g), parentIno, mode);
    }

    /** Creation hook: writes the inherited ACLs into the creating transaction (no-op without them). */
    public void applyOnCreate(FsTransaction tx, long ino, AclRules.Inherited inh) throws IOException {
        if (inh.writesXattrs()) {
            acls.applyOnCreate(tx, ino, inh);
        }
    }

    /** chmod hook: the dinode's mode is {@code newMode} in {@code tx}; needs {@link AclRules#CHMOD_BLOCKS} more blocks. */
    public void chmod(FsTransaction tx, long ino, int newMode) throws IOException {
        acls.chmod(tx, ino, newMode);
    }

    private int revokesFor(List<Long> oldEd) {
        // the old value's ED blocks, plus pointers an interrupted kernel replace may have left in a reused record
        return oldEd.size() + EaHeader.edBlocksFor(EaHeader.MAX_DATA_LEN, fs.geo);
    }

    private static void commit(FsTransaction tx, int freed) throws IOException {
        if (freed > 0) {
            // freed ED blocks are not handed out again before this is durable (alloc/FreedBlocks)
            tx.commit();
        } else {
            tx.commit();
        }
    }

    private static void checkNameLength(String name) throws FsException {
        if (name.length() > XattrName.MAX_FULL_NAME) {
            throw new FsException(FsException.ERANGE, "attribute name longer than " + XattrName.MAX_FULL_NAME + " bytes");
        }
    }

    private Dinode modifiableDinode(long ino) throws IOException {
        ByteBuffer b = fs.cache.read(ino, GlockName.inode(ino));
        if (MetaHeader.typeOf(b, 0) != MetaType.DI) {
            throw new FsException(FsException.ESTALE, "inode " + ino + " is no dinode");
        }
        Dinode d = Dinode.decode(b, ino);
        if (d.hasFlag(Dinode.FLAG_IMMUTABLE) || d.hasFlag(Dinode.FLAG_APPENDONLY)) {
            throw new FsException(FsException.EPERM, "the inode is immutable or append-only");
        }
        return d;
    }
}
