package org.gfs2j.fs.xattr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.gfs2j.fs.meta.Inode;
import org.gfs2j.fs.meta.XattrReader;
import org.gfs2j.fs.mount.ReadWriteGfs2Vfs;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.ondisk.EaBlock;
import org.gfs2j.fs.vfs.FsException;

/** Helpers shared by the xattr tests: errno assertions and looks at the on-disk records. */
final class XattrTestSupport {
    private XattrTestSupport() {
    }

    static byte[] n(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] filled(int len, int seed) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) (seed + i * 7 + (i >> 8));
        }
        return b;
    }

    static void assertErrno(int expected, org.junit.jupiter.api.function.Executable op) {
        FsException e = assertThrows(FsException.class, op);
        assertEquals(expected, e.errno(), e.getMessage());
    }

    static Inode inode(ReadWriteGfs2Vfs vfs, long ino) throws IOException {
        return vfs.fileSystem().reader.inode(ino);
    }

    static Dinode dinode(ReadWriteGfs2Vfs vfs, long ino) throws IOException {
        return inode(vfs, ino).dinode();
    }

    /** di_blocks of an inode without data blocks must be 1 + the attribute blocks. */
    static void assertBlocksCounted(ReadWriteGfs2Vfs vfs, long ino) throws IOException {
        Inode i = inode(vfs, ino);
        XattrReader r = vfs.fileSystem().reader.xattrs(i);
        assertEquals(1 + r.blockCount(), i.dinode().blocks(), "di_blocks of inode " + ino);
    }

    /** The records of every EA block, "type:name:datalen" or "-" for UNUSED, blocks separated by "|". */
    static String layout(ReadWriteGfs2Vfs vfs, long ino) throws IOException {
        Inode i = inode(vfs, ino);
        XattrReader r = vfs.fileSystem().reader.xattrs(i);
        List<String> blocks = new ArrayList<>();
        for (long ea : r.eaBlocks()) {
            ByteBuffer b = vfs.fileSystem().cache.read(ea);
            List<String> recs = new ArrayList<>();
            for (EaBlock.Entry e : EaBlock.walk(b, ea, 1802)) {
                recs.add(e.header().isUnused() ? "-" + e.header().recLen()
                        : e.nameString() + "=" + e.header().dataLen() + (e.header().isStuffed() ? "" : "*"));
            }
            blocks.add(String.join(",", recs));
        }
        return String.join("|", blocks);
    }

    static long freeBlocks(ReadWriteGfs2Vfs vfs) throws IOException {
        return vfs.statfs().bfree();
    }
}
