package org.gfs2j.fuse.fs;

import org.gfs2j.fuse.protocol.Fuse.SetattrValid;

/**
 * A SETATTR request: {@code valid} says which fields are meaningful ({@link SetattrValid} bits).
 * Times with ATIME_NOW/MTIME_NOW mean "now" (the kernel also fills the fields with its clock).
 */
public record SetAttr(int valid, long fh, long size, long lockOwner,
                      long atimeSec, int atimeNsec, long mtimeSec, int mtimeNsec, long ctimeSec, int ctimeNsec,
                      int mode, int uid, int gid) {
    public boolean has(int bit) {
        return (valid & bit) != 0;
    }
}
