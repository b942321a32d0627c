package org.gfs2j.dlm.node;

import com.codahale.metrics.MetricRegistry;
import java.util.List;
import java.util.Map;
import org.gfs2j.dlm.LockManager;
import org.gfs2j.dlm.Lockspace;
import org.gfs2j.dlm.core.LockspaceCore;

/**
 * The lock manager of a single-node mount and of tests: the same core as a cluster member, with
 * itself as the only member, so every resource is mastered locally and no message leaves the JVM.
 */
public final class InProcessLockManager implements LockManager {
    public static final int LVB_LENGTH = 32;
    private final int nodeId;
    private final MetricRegistry metrics;
    private final CoreLoop loop;
    private final Map<String, LoopLockspace> lockspaces = new java.util.concurrent.ConcurrentHashMap<>();

    public InProcessLockManager() {
        this(1, new MetricRegistry());
    }

    public InProcessLockManager(int nodeId, MetricRegistry metrics) {
        this.nodeId = nodeId;
        this.metrics = metrics;
        this.loop = new CoreLoop("dlm-local-" + nodeId);
        loop.every(1000, () -> lockspaces.values().forEach(l -> {
            l.core().tick();
            l.core().deliverCallbacks();
        }));
    }

    @Override
    public int nodeId() {
        return nodeId;
    }

    @Override
    public Lockspace openLockspace(String name) {
        // on the core loop, no monitor held: a callback may open or dump lockspaces too
        return loop.call(() -> lockspaces.computeIfAbsent(name, n -> new LoopLockspace(loop,
                new LockspaceCore(n, nodeId, List.of(nodeId), LVB_LENGTH, System.nanoTime(),
                        env -> {
                            throw new IllegalStateException("single-node lockspace sent a message to node " + env.getTo());
                        },
                        System::nanoTime, metrics, false))));
    }

    @Override
    public String dump() {
        return loop.call(() -> {
            StringBuilder sb = new StringBuilder();
            lockspaces.values().forEach(l -> sb.append(l.core().dump()));
            return sb.toString();
        });
    }

    public MetricRegistry metrics() {
        return metrics;
    }

    @Override
    public void close() {
        loop.shutdown();
    }
}
