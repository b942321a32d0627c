package org.gfs2j.fuse.fs;

/** Answer to CREATE: the new (or existing, without O_EXCL) entry and its open handle. */
public record Created(Entry entry, OpenReply open) {
}
