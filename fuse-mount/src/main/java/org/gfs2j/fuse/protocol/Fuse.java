package org.gfs2j.fuse.protocol;

/** Protocol constants (FUSE 7.45, x86-64). Flag groups are nested by the structure they belong to. */
public final class Fuse {
    public static final int KERNEL_VERSION = 7;
    public static final int KERNEL_MINOR_VERSION = 45;
    public static final long ROOT_ID = 1;
    public static final int IN_HEADER_SIZE = 40;
    public static final int OUT_HEADER_SIZE = 16;
    public static final int MIN_READ_BUFFER = 8192;
    public static final long UNIQUE_RESEND = 1L << 63;
    public static final long OFFSET_MAX = 0x7fffffffffffffffL;

    private Fuse() {
    }

    /** fuse_init_in/out flags (bits 0-63; flags2 carries the upper half). */
    public static final class Init {
        public static final long ASYNC_READ = 1L << 0;
        public static final long POSIX_LOCKS = 1L << 1;
        public static final long ATOMIC_O_TRUNC = 1L << 3;
        public static final long EXPORT_SUPPORT = 1L << 4;
        public static final long BIG_WRITES = 1L << 5;
        public static final long DONT_MASK = 1L << 6;
        public static final long FLOCK_LOCKS = 1L << 10;
        public static final long AUTO_INVAL_DATA = 1L << 12;
        public static final long DO_READDIRPLUS = 1L << 13;
        public static final long READDIRPLUS_AUTO = 1L << 14;
        public static final long ASYNC_DIO = 1L << 15;
        public static final long WRITEBACK_CACHE = 1L << 16;
        public static final long NO_OPEN_SUPPORT = 1L << 17;
        public static final long PARALLEL_DIROPS = 1L << 18;
        public static final long HANDLE_KILLPRIV = 1L << 19;
        public static final long POSIX_ACL = 1L << 20;
        public static final long ABORT_ERROR = 1L << 21;
        public static final long MAX_PAGES = 1L << 22;
        public static final long CACHE_SYMLINKS = 1L << 23;
        public static final long EXPLICIT_INVAL_DATA = 1L << 25;
        public static final long HANDLE_KILLPRIV_V2 = 1L << 28;
        public static final long SETXATTR_EXT = 1L << 29;
        public static final long INIT_EXT = 1L << 30;
        public static final long SECURITY_CTX = 1L << 32;
        public static final long CREATE_SUPP_GROUP = 1L << 34;
        public static final long HAS_EXPIRE_ONLY = 1L << 35;
        public static final long DIRECT_IO_ALLOW_MMAP = 1L << 36;
        public static final long NO_EXPORT_SUPPORT = 1L << 38;
        public static final long HAS_RESEND = 1L << 39;
        public static final long REQUEST_TIMEOUT = 1L << 42;

        private Init() {
        }
    }

    /** fuse_setattr_in.valid. */
    public static final class SetattrValid {
        public static final int MODE = 0x1;
        public static final int UID = 0x2;
        public static final int GID = 0x4;
        public static final int SIZE = 0x8;
        public static final int ATIME = 0x10;
        public static final int MTIME = 0x20;
        public static final int FH = 0x40;
        public static final int ATIME_NOW = 0x80;
        public static final int MTIME_NOW = 0x100;
        public static final int LOCKOWNER = 0x200;
        public static final int CTIME = 0x400;
        public static final int KILL_SUIDGID = 0x800;

        private SetattrValid() {
        }
    }

    /** fuse_open_out.open_flags. */
    public static final class OpenOut {
        public static final int DIRECT_IO = 0x1;
        public static final int KEEP_CACHE = 0x2;
        public static final int NONSEEKABLE = 0x4;
        public static final int CACHE_DIR = 0x8;
        public static final int STREAM = 0x10;
        public static final int NOFLUSH = 0x20;
        public static final int PARALLEL_DIRECT_WRITES = 0x40;

        private OpenOut() {
        }
    }

    public static final int OPEN_KILL_SUIDGID = 0x1;
    public static final int GETATTR_FH = 0x1;
    public static final int RELEASE_FLOCK_UNLOCK = 0x2;
    public static final int LK_FLOCK = 0x1;
    public static final int WRITE_CACHE = 0x1;
    public static final int WRITE_LOCKOWNER = 0x2;
    public static final int WRITE_KILL_SUIDGID = 0x4;
    public static final int FSYNC_FDATASYNC = 0x1;
    public static final int SETXATTR_ACL_KILL_SGID = 0x1;
    public static final int XATTR_CREATE = 0x1;
    public static final int XATTR_REPLACE = 0x2;
    public static final int RENAME_NOREPLACE = 0x1;
    public static final int RENAME_EXCHANGE = 0x2;
    public static final int RENAME_WHITEOUT = 0x4;
    public static final int FALLOC_KEEP_SIZE = 0x1;
    public static final int FALLOC_PUNCH_HOLE = 0x2;
    public static final int FALLOC_ZERO_RANGE = 0x10;
    public static final int SEEK_SET = 0;
    public static final int SEEK_CUR = 1;
    public static final int SEEK_END = 2;
    public static final int SEEK_DATA = 3;
    public static final int SEEK_HOLE = 4;
    public static final int F_RDLCK = 0;
    public static final int F_WRLCK = 1;
    public static final int F_UNLCK = 2;
    public static final int EXPIRE_ONLY = 0x1;

    /** Notification codes (out header "error" field, unique 0). */
    public static final int NOTIFY_POLL = 1;
    public static final int NOTIFY_INVAL_INODE = 2;
    public static final int NOTIFY_INVAL_ENTRY = 3;
    public static final int NOTIFY_STORE = 4;
    public static final int NOTIFY_RETRIEVE = 5;
    public static final int NOTIFY_DELETE = 6;
    public static final int NOTIFY_RESEND = 7;
    public static final int NOTIFY_INC_EPOCH = 8;

    /** File type bits of st_mode. */
    public static final int S_IFMT = 0170000;
    public static final int S_IFSOCK = 0140000;
    public static final int S_IFLNK = 0120000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFBLK = 060000;
    public static final int S_IFDIR = 040000;
    public static final int S_IFCHR = 020000;
    public static final int S_IFIFO = 010000;
    public static final int S_ISUID = 04000;
    public static final int S_ISGID = 02000;
    public static final int S_ISVTX = 01000;

    public static final int O_ACCMODE = 3;
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_TRUNC = 01000;
    public static final int O_APPEND = 02000;
}
