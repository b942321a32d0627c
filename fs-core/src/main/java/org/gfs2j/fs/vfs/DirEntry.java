package org.gfs2j.fs.vfs;

/**
 * One directory entry handed out by {@link Gfs2Vfs#readdir}.
 *
 * @param name       the name's bytes as stored on disk
 * @param ino        the inode it names (dinode block address)
 * @param type       file type bits of the target (S_IFMT part of a mode), from the entry
 * @param nextCookie the stable, non-zero position just after this entry: pass it to
 *                   {@link Gfs2Vfs#readdir} to continue behind it
 * @param attributes the target's attributes when asked for ({@code withAttributes}), else null;
 *                   null as well for "." and "..", and when the target could not be read (corrupt:
 *                   the reason is logged, and a lookup of the name fails with EIO)
 */
public record DirEntry(byte[] name, long ino, int type, long nextCookie, InodeAttributes attributes) {
    public boolean isDotOrDotDot() {
        return (name.length == 1 && name[0] == '.') || (name.length == 2 && name[0] == '.' && name[1] == '.');
    }
}
