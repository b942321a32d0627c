package org.gfs2j.fs.inspect;

import org.gfs2j.fs.ondisk.Dinode;

/** ls-style mode strings and manifest type letters. */
public final class ModeString {
    private ModeString() {
    }

    /** The manifest / find -printf %y type letter: f d l p s c b (? for anything else). */
    public static char typeLetter(int mode) {
        switch (mode & Dinode.S_IFMT) {
            case Dinode.S_IFREG: return 'f';
            case Dinode.S_IFDIR: return 'd';
            case Dinode.S_IFLNK: return 'l';
            case Dinode.S_IFIFO: return 'p';
            case Dinode.S_IFSOCK: return 's';
            case Dinode.S_IFCHR: return 'c';
            case Dinode.S_IFBLK: return 'b';
            default: return '?';
        }
    }

    /** {@code drwxr-xr-x}, with s/S, t/T for setuid, setgid and sticky. */
    public static String of(int mode) {
        char t = typeLetter(mode);
        StringBuilder s = new StringBuilder(10);
        s.append(t == 'f' ? '-' : t);
        s.append(triple(mode >> 6, (mode & 04000) != 0, 's'));
        s.append(triple(mode >> 3, (mode & 02000) != 0, 's'));
        s.append(triple(mode, (mode & 01000) != 0, 't'));
        return s.toString();
    }

    private static String triple(int bits, boolean special, char specialChar) {
        char x = (bits & 1) != 0 ? (special ? specialChar : 'x') : (special ? Character.toUpperCase(specialChar) : '-');
        return "" + ((bits & 4) != 0 ? 'r' : '-') + ((bits & 2) != 0 ? 'w' : '-') + x;
    }

    public static String typeName(int mode) {
        switch (mode & Dinode.S_IFMT) {
            case Dinode.S_IFREG: return "regular file";
            case Dinode.S_IFDIR: return "directory";
            case Dinode.S_IFLNK: return "symbolic link";
            case Dinode.S_IFIFO: return "fifo";
            case Dinode.S_IFSOCK: return "socket";
            case Dinode.S_IFCHR: return "character device";
            case Dinode.S_IFBLK: return "block device";
            default: return "unknown";
        }
    }
}
