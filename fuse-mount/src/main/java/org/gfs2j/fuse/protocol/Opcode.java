package org.gfs2j.fuse.protocol;

/**
 * The FUSE opcode table (protocol 7.45): number, the fixed part of the request body that must be
 * present, and whether the kernel expects a reply. Which handler serves an opcode is decided by the
 * dispatcher's table ({@code org.gfs2j.fuse.session.Dispatcher}).
 */
public enum Opcode {
    LOOKUP(1, 0, true),
    FORGET(2, 8, false),
    GETATTR(3, 16, true),
    SETATTR(4, 88, true),
    READLINK(5, 0, true),
    SYMLINK(6, 0, true),
    MKNOD(8, 16, true),
    MKDIR(9, 8, true),
    UNLINK(10, 0, true),
    RMDIR(11, 0, true),
    RENAME(12, 8, true),
    LINK(13, 8, true),
    OPEN(14, 8, true),
    READ(15, 40, true),
    WRITE(16, 40, true),
    STATFS(17, 0, true),
    RELEASE(18, 24, true),
    FSYNC(20, 16, true),
    SETXATTR(21, 8, true),
    GETXATTR(22, 8, true),
    LISTXATTR(23, 8, true),
    REMOVEXATTR(24, 0, true),
    FLUSH(25, 24, true),
    INIT(26, 16, true),
    OPENDIR(27, 8, true),
    READDIR(28, 40, true),
    RELEASEDIR(29, 24, true),
    FSYNCDIR(30, 16, true),
    GETLK(31, 48, true),
    SETLK(32, 48, true),
    SETLKW(33, 48, true),
    ACCESS(34, 8, true),
    CREATE(35, 16, true),
    /** Reply optional (only -EAGAIN / -ENOSYS); the dispatcher never replies. */
    INTERRUPT(36, 8, false),
    BMAP(37, 16, true),
    DESTROY(38, 0, true),
    IOCTL(39, 32, true),
    POLL(40, 24, true),
    NOTIFY_REPLY(41, 40, false),
    BATCH_FORGET(42, 8, false),
    FALLOCATE(43, 32, true),
    READDIRPLUS(44, 40, true),
    RENAME2(45, 16, true),
    LSEEK(46, 24, true),
    COPY_FILE_RANGE(47, 56, true),
    SETUPMAPPING(48, 0, true),
    REMOVEMAPPING(49, 0, true),
    SYNCFS(50, 8, true),
    TMPFILE(51, 16, true),
    STATX(52, 24, true),
    COPY_FILE_RANGE_64(53, 56, true);

    private static final Opcode[] BY_CODE = new Opcode[64];

    static {
        for (Opcode op : values()) {
            BY_CODE[op.code] = op;
        }
    }

    private final int code;
    private final int fixedBodySize;
    private final boolean replies;

    Opcode(int code, int fixedBodySize, boolean replies) {
        this.code = code;
        this.fixedBodySize = fixedBodySize;
        this.replies = replies;
    }

    public int code() {
        return code;
    }

    /** Bytes of fixed-size arguments the body must contain (names and data follow). */
    public int fixedBodySize() {
        return fixedBodySize;
    }

    /** Whether the kernel waits for a reply to this opcode. */
    public boolean replies() {
        return replies;
    }

    /** The opcode with this number, or null if unknown. */
    public static Opcode of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
