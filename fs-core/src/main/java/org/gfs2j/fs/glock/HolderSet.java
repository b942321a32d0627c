package org.gfs2j.fs.glock;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Several granted holders taken in lock order; closing releases them in reverse order. */
public final class HolderSet implements AutoCloseable {
    private final List<Holder> holders;

    HolderSet(List<Holder> holders) {
        this.holders = Collections.unmodifiableList(new ArrayList<>(holders));
    }

    /** The holders in the order they were acquired. */
    public List<Holder> holders() {
        return holders;
    }

    /** The holder for {@code name}. */
    public Holder get(GlockName name) {
        for (Holder h : holders) {
            if (h.name().equals(name)) {
                return h;
            }
        }
        throw new IllegalArgumentException("no holder for " + name + " in this set");
    }

    @Override
    public void close() {
        for (int i = holders.size() - 1; i >= 0; i--) {
            holders.get(i).close();
        }
    }
}
