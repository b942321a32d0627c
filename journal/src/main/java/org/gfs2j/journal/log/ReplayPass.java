package org.gfs2j.journal.log;

/** The two walks of replay over the live log: collect revokes, then copy blocks home. */
public enum ReplayPass {
    REVOKES,
    BLOCKS
}
