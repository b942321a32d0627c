package org.gfs2j.fuse.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.gfs2j.fuse.fs.Attr;
import org.gfs2j.fuse.fs.Entry;
import org.gfs2j.fuse.fs.FileLock;
import org.gfs2j.fuse.fs.OpenReply;
import org.gfs2j.fuse.fs.StatFs;

/**
 * Encoders for reply bodies and the 16-byte {@code fuse_out_header}. All methods write relative
 * puts into a little-endian buffer whose position is where the structure goes.
 * <pre>
 * fuse_out_header: 0 len u32 | 4 error i32 (-errno, or notify code) | 8 unique u64
 * </pre>
 */
public final class Replies {
    public static final int ATTR_SIZE = 88;
    public static final int ENTRY_OUT_SIZE = 128;
    public static final int ATTR_OUT_SIZE = 104;
    public static final int OPEN_OUT_SIZE = 16;
    public static final int STATFS_OUT_SIZE = 80;
    public static final int LK_OUT_SIZE = 24;
    public static final int DIRENT_BASE = 24;
    public static final int DIRENTPLUS_BASE = ENTRY_OUT_SIZE + DIRENT_BASE;

    private Replies() {
    }

    /** Writes the out-header at absolute 0 for a message of {@code len} bytes. */
    public static void header(ByteBuffer b, int len, int error, long unique) {
        b.putInt(0, len).putInt(4, error).putLong(8, unique);
    }

    public static void attr(ByteBuffer b, Attr a) {
        if (a == null) {
            b.put(new byte[ATTR_SIZE]);
            return;
        }
        b.putLong(a.ino()).putLong(a.size()).putLong(a.blocks())
                .putLong(a.atimeSec()).putLong(a.mtimeSec()).putLong(a.ctimeSec())
                .putInt(a.atimeNsec()).putInt(a.mtimeNsec()).putInt(a.ctimeNsec())
                .putInt(a.mode()).putInt(a.nlink()).putInt(a.uid()).putInt(a.gid()).putInt(a.rdev())
                .putInt(a.blksize()).putInt(0);
    }

    private static long secs(Duration d) {
        return d == null ? 0 : Math.max(0, d.getSeconds());
    }

    private static int nanos(Duration d) {
        return d == null || d.isNegative() ? 0 : d.getNano();
    }

    /** fuse_entry_out: nodeid, generation, entry_valid, attr_valid, their nsec, attr. */
    public static void entry(ByteBuffer b, Entry e) {
        b.putLong(e.nodeid()).putLong(e.generation())
                .putLong(secs(e.entryTimeout())).putLong(secs(e.attrTimeout()))
                .putInt(nanos(e.entryTimeout())).putInt(nanos(e.attrTimeout()));
        attr(b, e.attr());
    }

    /** fuse_attr_out: attr_valid, attr_valid_nsec, dummy, attr. */
    public static void attrOut(ByteBuffer b, Attr a, Duration valid) {
        b.putLong(secs(valid)).putInt(nanos(valid)).putInt(0);
        attr(b, a);
    }

    public static void open(ByteBuffer b, OpenReply o) {
        b.putLong(o.fh()).putInt(o.openFlags()).putInt(0);
    }

    public static void statfs(ByteBuffer b, StatFs s) {
        b.putLong(s.blocks()).putLong(s.bfree()).putLong(s.bavail()).putLong(s.files()).putLong(s.ffree())
                .putInt(s.bsize()).putInt(s.namelen()).putInt(s.frsize()).putInt(0);
        b.put(new byte[24]);
    }

    public static void fileLock(ByteBuffer b, FileLock l) {
        b.putLong(l.start()).putLong(l.end()).putInt(l.type()).putInt(l.pid());
    }

    /** fuse_write_out / fuse_getxattr_out: u32 + padding. */
    public static void u32Out(ByteBuffer b, int value) {
        b.putInt(value).putInt(0);
    }

    public static void u64Out(ByteBuffer b, long value) {
        b.putLong(value);
    }

    public static int direntSize(int nameLen) {
        return (DIRENT_BASE + nameLen + 7) & ~7;
    }

    public static int direntPlusSize(int nameLen) {
        return (DIRENTPLUS_BASE + nameLen + 7) & ~7;
    }

    /** DT_* type of a mode: (mode >> 12) & 15. */
    public static int direntType(int mode) {
        return (mode >>> 12) & 15;
    }

    /** fuse_dirent: ino, off, namelen, type, name, zero padding to 8. Caller checked the room. */
    public static void dirent(ByteBuffer b, long ino, long nextOffset, int mode, String name) {
        byte[] n = name.getBytes(StandardCharsets.ISO_8859_1);
        int start = b.position();
        b.putLong(ino).putLong(nextOffset).putInt(n.length).putInt(direntType(mode)).put(n);
        padTo(b, start + direntSize(n.length));
    }

    public static void direntPlus(ByteBuffer b, Entry e, long nextOffset, String name) {
        byte[] n = name.getBytes(StandardCharsets.ISO_8859_1);
        int start = b.position();
        entry(b, e);
        int mode = e.attr() == null ? 0 : e.attr().mode();
        long ino = e.attr() == null ? e.nodeid() : e.attr().ino();
        b.putLong(ino).putLong(nextOffset).putInt(n.length).putInt(direntType(mode)).put(n);
        padTo(b, start + direntPlusSize(n.length));
    }

    private static void padTo(ByteBuffer b, int end) {
        while (b.position() < end) {
            b.put((byte) 0);
        }
    }
}
