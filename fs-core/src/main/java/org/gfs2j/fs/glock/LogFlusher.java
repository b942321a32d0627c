package org.gfs2j.fs.glock;

import java.io.IOException;

/**
 * The journal, as the glock layer needs it: before a dirty glock is given up, everything logged
 * under it must be committed to this node's journal.
 */
public interface LogFlusher {
    /** Commits the log at least up to the last transaction that touched blocks under {@code glock}. */
    void flush(GlockName glock) throws IOException;

    LogFlusher NONE = glock -> { };
}
