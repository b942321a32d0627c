package org.gfs2j.fs.meta;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.gfs2j.fs.ondisk.Dinode;

/**
 * A dinode as read from its block: the decoded header and the raw block (for stuffed data and
 * the top-level pointers).
 */
public record Inode(long addr, Dinode dinode, ByteBuffer block) {

    /** Reads and validates the dinode at {@code addr}; {@code from}/{@code field} name the referrer in errors. */
    public static Inode read(Pointers ptrs, long addr, long from, String structure, String field) throws IOException {
        ptrs.check(addr, from, structure, field);
        ByteBuffer b = ptrs.source().read(addr);
        return new Inode(addr, Dinode.decode(b, addr), b);
    }
}
