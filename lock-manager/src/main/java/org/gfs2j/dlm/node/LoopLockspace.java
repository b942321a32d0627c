package org.gfs2j.dlm.node;

import org.gfs2j.dlm.LockCallbacks;
import org.gfs2j.dlm.LockMode;
import org.gfs2j.dlm.Lockspace;
import org.gfs2j.dlm.core.LockspaceCore;

/**
 * The thread-safe face of a {@link LockspaceCore}: each call runs on the node's core loop (directly
 * when already there, e.g. from a callback). Callbacks it causes are delivered on the loop once the
 * core has finished the call, possibly before the calling thread resumes; from inside a callback
 * they are delivered after the current callback returns.
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
        return loop.call(() -> {
            int id = core.lock(name, mode, flags, callbacks);
            core.deliverCallbacks();
            return id;
        });
    }

    @Override
    public void convert(int lockId, LockMode mode, int flags, byte[] lvb) {
        byte[] v = lvb == null ? null : lvb.clone();
        loop.call(() -> {
            core.convert(lockId, mode, flags, v);
            core.deliverCallbacks();
            return null;
        });
    }

    @Override
    public void unlock(int lockId, int flags, byte[] lvb) {
        byte[] v = lvb == null ? null : lvb.clone();
        loop.call(() -> {
            core.unlock(lockId, flags, v);
            core.deliverCallbacks();
            return null;
        });
    }

    @Override
    public void cancel(int lockId) {
        loop.call(() -> {
            core.cancel(lockId);
            core.deliverCallbacks();
            return null;
        });
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
