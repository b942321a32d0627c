package org.gfs2j.fuse.session;

import java.util.ArrayList;
import java.util.List;

import org.gfs2j.fuse.fs.Context;
import org.gfs2j.fuse.protocol.InHeader;

/** The {@link Context} of one request in flight; the dispatcher marks it interrupted. */
final class RequestContext implements Context {
    private final InHeader header;
    private final List<Runnable> onInterrupt = new ArrayList<>(0);
    private boolean interrupted;

    RequestContext(InHeader header) {
        this.header = header;
    }

    @Override
    public int uid() {
        return header.uid();
    }

    @Override
    public int gid() {
        return header.gid();
    }

    @Override
    public int pid() {
        return header.pid();
    }

    @Override
    public long unique() {
        return header.unique();
    }

    @Override
    public synchronized boolean isInterrupted() {
        return interrupted;
    }

    @Override
    public void onInterrupt(Runnable action) {
        synchronized (this) {
            if (!interrupted) {
                onInterrupt.add(action);
                return;
            }
        }
        action.run();
    }

    void interrupt() {
        List<Runnable> run;
        synchronized (this) {
            if (interrupted) {
                return;
            }
            interrupted = true;
            run = new ArrayList<>(onInterrupt);
            onInterrupt.clear();
        }
        run.forEach(Runnable::run);
    }
}
