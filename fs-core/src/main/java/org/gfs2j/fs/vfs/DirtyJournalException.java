package org.gfs2j.fs.vfs;

import java.io.IOException;

/** A journal holds transactions not yet written in place: it must be replayed before mounting. */
public final class DirtyJournalException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int journal;

    public DirtyJournalException(int journal, String message) {
        super(message);
        this.journal = journal;
    }

    public int journal() {
        return journal;
    }
}
