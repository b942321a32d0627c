package org.gfs2j.fuse.fs;

/**
 * Answer to OPEN/OPENDIR/CREATE: the file-system chosen handle echoed in later requests and the
 * {@code FOPEN_*} flags ({@link org.gfs2j.fuse.protocol.Fuse.OpenOut}).
 */
public record OpenReply(long fh, int openFlags) {
}
