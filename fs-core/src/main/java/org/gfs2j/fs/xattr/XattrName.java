package org.gfs2j.fs.xattr;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.gfs2j.fs.ondisk.EaHeader;
import org.gfs2j.fs.ondisk.PosixAcl;
import org.gfs2j.fs.ondisk.Superblock;
import org.gfs2j.fs.vfs.FsException;

/**
 * A Linux attribute name ({@code user.color}) split into GFS2's namespace type code and the name
 * stored in the EA record ({@code color}). Names are bytes: the VFS passes them as ISO-8859-1
 * strings, one char per byte.
 *
 * <p>The errors are Linux's: a name longer than 255 bytes (prefix included) is ERANGE, a known
 * prefix with nothing after it EINVAL, an unknown prefix EOPNOTSUPP; of the system namespace only
 * the two POSIX ACL names exist, and trusted needs sb_fs_format 1802 (the kernel registers no
 * trusted handler on 1801 file systems).
 */
public record XattrName(int type, byte[] name) {
    /** XATTR_NAME_MAX: the longest full name, prefix included. */
    public static final int MAX_FULL_NAME = 255;
    /** GFS2_EA_MAX_NAME_LEN: ea_name_len is a u8. */
    public static final int MAX_EA_NAME = 255;

    private static final String[] PREFIXES = {"user.", "trusted.", "security.", "system."};
    private static final int[] TYPES = {EaHeader.TYPE_USER, EaHeader.TYPE_TRUSTED, EaHeader.TYPE_SECURITY,
        EaHeader.TYPE_SYSTEM};

    public XattrName {
        name = name.clone();
    }

    /** Splits {@code full} for a file system of format {@code fsFormat}. */
    public static XattrName parse(String full, int fsFormat) throws FsException {
        byte[] raw = full.getBytes(StandardCharsets.ISO_8859_1);
        if (raw.length > MAX_FULL_NAME) {
            throw new FsException(FsException.ERANGE, "attribute name longer than " + MAX_FULL_NAME + " bytes");
        }
        for (int i = 0; i < PREFIXES.length; i++) {
            if (!full.startsWith(PREFIXES[i])) {
                continue;
            }
            byte[] rest = Arrays.copyOfRange(raw, PREFIXES[i].length(), raw.length);
            if (rest.length == 0) {
                throw new FsException(FsException.EINVAL, "attribute name \"" + full + "\" has nothing after its prefix");
            }
            int type = TYPES[i];
            if (type == EaHeader.TYPE_TRUSTED && fsFormat < Superblock.FS_FORMAT_1802) {
                throw new FsException(FsException.EOPNOTSUPP, "trusted attributes need sb_fs_format 1802");
            }
            if (type == EaHeader.TYPE_SYSTEM && !full.equals(PosixAcl.ACCESS_XATTR) && !full.equals(PosixAcl.DEFAULT_XATTR)) {
                throw new FsException(FsException.EOPNOTSUPP, "no system attribute \"" + full + "\"");
            }
            return new XattrName(type, rest);
        }
        throw new FsException(FsException.EOPNOTSUPP, "unknown attribute namespace in \"" + full + "\"");
    }

    public static XattrName acl(boolean defaultAcl) {
        return new XattrName(EaHeader.TYPE_SYSTEM,
                (defaultAcl ? PosixAcl.DEFAULT_NAME : PosixAcl.ACCESS_NAME).getBytes(StandardCharsets.ISO_8859_1));
    }

    public boolean isAccessAcl() {
        return type == EaHeader.TYPE_SYSTEM && Arrays.equals(name, PosixAcl.ACCESS_NAME.getBytes(StandardCharsets.ISO_8859_1));
    }

    public boolean isDefaultAcl() {
        return type == EaHeader.TYPE_SYSTEM && Arrays.equals(name, PosixAcl.DEFAULT_NAME.getBytes(StandardCharsets.ISO_8859_1));
    }

    public boolean matches(int otherType, byte[] otherName) {
        return type == otherType && Arrays.equals(name, otherName);
    }

    @Override
    public String toString() {
        return EaHeader.prefix(type) + new String(name, StandardCharsets.ISO_8859_1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof XattrName x && x.type == type && Arrays.equals(x.name, name);
    }

    @Override
    public int hashCode() {
        return type * 31 + Arrays.hashCode(name);
    }
}
