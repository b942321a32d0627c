package org.gfs2j.fs.glock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.gfs2j.dlm.LockCallbacks;
import org.gfs2j.dlm.LockMode;
import org.gfs2j.dlm.core.LockspaceCore;
import org.gfs2j.dlm.proto.Envelope;
import org.junit.jupiter.api.Test;

/**
 * The glock layer on the lock-manager's real DLM core (two nodes, messages carried by a queue the
 * test pumps, everything on the test thread): the flags the glock layer sends are accepted, value
 * blocks travel, and demotes happen on blocking callbacks.
 */
class LockspaceCoreInteropTest {
    private final ArrayDeque<Envelope> network = new ArrayDeque<>();
    private final LockspaceCore[] cores = new LockspaceCore[3];
    private final CoreDriver[] drivers = new CoreDriver[3];

    /**
     * Drives one core from the test thread as the lock-manager's own loop does: each call, then
     * the callbacks it queued (newer cores leave delivery to the driver: deliverCallbacks()).
     */
    static final class CoreDriver {
        private final LockspaceCore core;
        private final Method deliver;

        CoreDriver(LockspaceCore core) {
            this.core = core;
            Method m = null;
            try {
                m = LockspaceCore.class.getMethod("deliverCallbacks");
            } catch (NoSuchMethodException e) {
                // older core: delivers callbacks itself at the end of each call
            }
            this.deliver = m;
        }

        void deliver() {
            if (deliver != null) {
                try {
                    deliver.invoke(core);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
        }

        public String name() {
            return core.name();
        }

        public int lvbLength() {
            return core.lvbLength();
        }

        public int lock(byte[] resource, LockMode mode, int flags, LockCallbacks cb) {
            int id = core.lock(resource, mode, flags, cb);
            deliver();
            return id;
        }

        public void convert(int lockId, LockMode mode, int flags, byte[] lvb) {
            core.convert(lockId, mode, flags, lvb);
            deliver();
        }

        public void unlock(int lockId, int flags, byte[] lvb) {
            core.unlock(lockId, flags, lvb);
            deliver();
        }

        public void cancel(int lockId) {
            core.cancel(lockId);
            deliver();
        }

        public String dump() {
            return core.dump();
        }
    }
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());

    private LockspaceCore core(int id) {
        return new LockspaceCore("gfs2j", id, List.of(1, 2), 32, id * 1000L, network::add, () -> 0L,
                new MetricRegistry(), false);
    }

    /** Delivers queued messages until the network is quiet. */
    private void pump() {
        Envelope e;
        while ((e = network.poll()) != null) {
            cores[e.getTo()].receive(e);
            drivers[e.getTo()].deliver();
        }
    }

    /** Pumps the network and both workers until nothing moves. */
    private void settle(ManualScheduler... workers) {
        while (true) {
            int moved = network.size();
            pump();
            for (ManualScheduler w : workers) {
                moved += w.runAll();
            }
            if (moved == 0 && network.isEmpty()) {
                return;
            }
        }
    }

    @Test
    void twoNodesOnTheRealCore() throws Exception {
        cores[1] = core(1);
        cores[2] = core(2);
        drivers[1] = new CoreDriver(cores[1]);
        drivers[2] = new CoreDriver(cores[2]);
        ManualScheduler w1 = new ManualScheduler();
        ManualScheduler w2 = new ManualScheduler();
        RecordingCaches c1 = new RecordingCaches("n1", log);
        RecordingCaches c2 = new RecordingCaches("n2", log);
        GlockConfig cfg = GlockConfig.cluster();
        GlockManager m1 = new GlockManager(LockspaceProxy.of(drivers[1]), c1.table(), w1, cfg);
        GlockManager m2 = new GlockManager(LockspaceProxy.of(drivers[2]), c2.table(), w2, cfg);
        GlockName rg = GlockName.rgrp(0x1234);
        GlockName ino = GlockName.inode(0x99);

        // node 1 takes the rgrp EX and updates its counts
        Holder h1 = m1.enqueue(rg, GlockState.EX, 0);
        settle(w1, w2);
        assertTrue(h1.isGranted());
        h1.await();
        h1.writeValueBlock(new RgrpLvb(0, 500, 2, 7, 0).encode());
        h1.close();

        // node 2 wants it EX: blocking callback on node 1, demote, value published, node 2 granted
        Holder h2 = m2.enqueue(rg, GlockState.EX, 0);
        settle(w1, w2);
        assertTrue(h2.isGranted(), m1.dump() + m2.dump() + cores[1].dump() + cores[2].dump());
        assertEquals(500, RgrpLvb.decode(h2.valueBlock()).orElseThrow().freeBlocks());
        assertEquals(GlockState.UN, m1.find(rg).state());
        assertTrue(log.contains("n1 meta.invalidate 3/1234"), log.toString());
        h2.writeValueBlock(new RgrpLvb(0, 499, 3, 8, 0).encode());
        h2.close();

        // and back, with SH on both afterwards
        Holder back = m1.enqueue(rg, GlockState.SH, 0);
        settle(w1, w2);
        assertTrue(back.isGranted());
        assertEquals(499, RgrpLvb.decode(back.valueBlock()).orElseThrow().freeBlocks());
        assertEquals(GlockState.SH, m2.find(rg).state(), "EX -> SH for a PR request");
        Holder shared = m2.enqueue(rg, GlockState.SH, 0);
        settle(w1, w2);
        assertTrue(shared.isGranted());
        back.close();
        shared.close();

        // try locks against the other node's EX inode glock
        Holder owner = m2.enqueue(ino, GlockState.EX, 0);
        settle(w1, w2);
        assertTrue(owner.isGranted());
        Holder attempt = m1.enqueue(ino, GlockState.EX, HolderFlags.TRY_1CB);
        settle(w1, w2);
        assertTrue(attempt.isFailed());
        assertThrows(GlockTryFailedException.class, attempt::await);
        assertEquals(GlockState.UN, m2.find(ino).pendingDemote(), "TRY_1CB sent one callback");
        owner.close();
        settle(w1, w2);
        assertEquals(GlockState.EX, m2.find(ino).state(), "inode glock: minimum hold time first");
        w2.advance(200_000_000L);
        settle(w1, w2);
        assertEquals(GlockState.UN, m2.find(ino).state());

        // shutdown: node 1 first, node 2 keeps working, then node 2
        while (!m1.closeStep()) {
            settle(w1, w2);
        }
        assertEquals(Map.of(), cores[1].holderGrantedModes());
        Holder after = m2.enqueue(ino, GlockState.EX, 0);
        settle(w1, w2);
        assertTrue(after.isGranted());
        after.close();
        while (!m2.closeStep()) {
            settle(w1, w2);
        }
        assertEquals(Map.of(), cores[2].holderGrantedModes());
    }
}
