package org.gfs2j.dlm.node;

import org.gfs2j.dlm.LockCallbacks;
import org.gfs2j.dlm.LockMode;
import org.gfs2j.dlm.Lockspace;
import org.gfs2j.dlm.core.LockspaceCore;

/**
 * The thread-safe face of a {@link LockspaceCore}: each call runs on the node's core loop (directly
 * when already there, e.g. from a callback), and callbacks are delivered after the call returns.
 */
final class LoopLockspace implements Lockspace {
    private final CoreLoop loop;
    private final LockspaceCore core;

    LoopLockspace(CoreLoop loop, LockspaceCore core) {
        this.loop = loop;
        this.core = core;
    }

    LockspaceCore core() {
        return core;
    }

    @Override
    public String name() {
        return core.name();
    }

    @Override
    public int lvbLength() {
        return core.lvbLength();
    }

    @Override
    public int lock(byte[] resource, LockMode mode, int flags, LockCallbacks callbacks) {
        byte[] name = resource == null ? null : resource.clone();
        int id = loop.call(() -> core.lock(name, mode, flags, callbacks));
        afterCall();
        return id;
    }

    @Override
    public void convert(int lockId, LockMode mode, int flags, byte[] lvb) {
        byte[] v = lvb == null ? null : lvb.clone();
        loop.call(() -> {
            core.convert(lockId, mode, flags, v);
            return null;
        });
        afterCall();
    }

    @Override
    public void unlock(int lockId, int flags, byte[] lvb) {
        byte[] v = lvb == null ? null : lvb.clone();
        loop.call(() -> {
            core.unlock(lockId, flags, v);
            return null;
        });
        afterCall();
    }

    @Override
    public void cancel(int lockId) {
        loop.call(() -> {
            core.cancel(lockId);
            return null;
        });
        afterCall();
    }

    /** Callbacks caused by a call run as a separate loop task, never inside the call. */
    private void afterCall() {
        loop.execute(core::deliverCallbacks);
    }

    @Override
    public void setRecoveryListener(org.gfs2j.dlm.RecoveryListener listener) {
        loop.call(() -> {
            core.setRecoveryListener(listener);
            return null;
        });
    }

    @Override
    public String dump() {
        return loop.call(core::dump);
    }
}
