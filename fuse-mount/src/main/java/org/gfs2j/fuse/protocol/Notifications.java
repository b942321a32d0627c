package org.gfs2j.fuse.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Encoders for server → kernel notifications: out-header with unique 0 and the positive notify
 * code, then the code's structure. Each method fills {@code b} from absolute 0 and returns the
 * message length (the number of bytes to write in one write(2)).
 * <pre>
 * INVAL_INODE: ino u64 | off i64 | len i64                                   (16 + 24)
 * INVAL_ENTRY: parent u64 | namelen u32 | flags u32 | name | NUL           (16 + 16 + n + 1)
 * DELETE:      parent u64 | child u64 | namelen u32 | padding u32 | name | NUL (16 + 24 + n + 1)
 * INC_EPOCH:   (no body)                                                     (16)
 * </pre>
 */
public final class Notifications {
    private Notifications() {
    }

    public static int invalInode(ByteBuffer b, long nodeid, long offset, long length) {
        b.clear().position(Fuse.OUT_HEADER_SIZE);
        b.putLong(nodeid).putLong(offset).putLong(length);
        return finish(b, Fuse.NOTIFY_INVAL_INODE);
    }

    public static int invalEntry(ByteBuffer b, long parent, String name, int flags) {
        byte[] n = checkedName(name);
        b.clear().position(Fuse.OUT_HEADER_SIZE);
        b.putLong(parent).putInt(n.length).putInt(flags).put(n).put((byte) 0);
        return finish(b, Fuse.NOTIFY_INVAL_ENTRY);
    }

    public static int delete(ByteBuffer b, long parent, long child, String name) {
        byte[] n = checkedName(name);
        b.clear().position(Fuse.OUT_HEADER_SIZE);
        b.putLong(parent).putLong(child).putInt(n.length).putInt(0).put(n).put((byte) 0);
        return finish(b, Fuse.NOTIFY_DELETE);
    }

    public static int incEpoch(ByteBuffer b) {
        b.clear().position(Fuse.OUT_HEADER_SIZE);
        return finish(b, Fuse.NOTIFY_INC_EPOCH);
    }

    private static byte[] checkedName(String name) {
        byte[] n = name.getBytes(StandardCharsets.ISO_8859_1);
        if (n.length == 0 || n.length > Request.NAME_MAX) {
            throw new IllegalArgumentException("name length " + n.length + " not in 1.." + Request.NAME_MAX);
        }
        return n;
    }

    private static int finish(ByteBuffer b, int code) {
        int len = b.position();
        Replies.header(b, len, code, 0);
        return len;
    }
}
