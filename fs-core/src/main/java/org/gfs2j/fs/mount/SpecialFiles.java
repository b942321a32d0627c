package org.gfs2j.fs.mount;

import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.vfs.FsException;

/**
 * What mknod(2) may create and how a device number is kept: GFS2 stores a character or block
 * device's major and minor in {@code di_major}/{@code di_minor} (spec 5); fifos and sockets are
 * bare dinodes with neither data nor device numbers. Device numbers arrive as the kernel's
 * {@code new_encode_dev} value (what FUSE_MKNOD carries), and
 * {@link org.gfs2j.fs.vfs.InodeAttributes#encodeDevice} turns them back for stat.
 */
final class SpecialFiles {
    private SpecialFiles() {
    }

    /**
     * The file type mknod creates for {@code mode}: a type of 0 means a regular file (as in Linux);
     * directories are refused with EPERM (mkdir makes them), unknown types with EINVAL.
     */
    static int mknodType(int mode) throws FsException {
        int type = mode & Dinode.S_IFMT;
        switch (type) {
            case 0:
                return Dinode.S_IFREG;
            case Dinode.S_IFREG: case Dinode.S_IFIFO: case Dinode.S_IFSOCK: case Dinode.S_IFCHR: case Dinode.S_IFBLK:
                return type;
            case Dinode.S_IFDIR:
                throw new FsException(FsException.EPERM, "mknod cannot create directories");
            default:
                throw new FsException(FsException.EINVAL, String.format("mknod of file type 0%o", type));
        }
    }

    static boolean isDevice(int type) {
        return type == Dinode.S_IFCHR || type == Dinode.S_IFBLK;
    }

    /** The major number of a {@code new_encode_dev} value (12 bits). */
    static long major(int rdev) {
        return (rdev & 0xfff00) >>> 8;
    }

    /** The minor number of a {@code new_encode_dev} value (20 bits). */
    static long minor(int rdev) {
        return (rdev & 0xff) | ((rdev >>> 12) & 0xfff00);
    }
}
