package org.gfs2j.dlm.node;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.gfs2j.dlm.DlmException;
import org.gfs2j.dlm.DlmStatus;

/** The one thread that owns every lockspace core of a node. */
final class CoreLoop {
    private final ExecutorService executor;
    private final io.netty.channel.EventLoop eventLoop;
    private volatile Thread thread;

    /** A thread of its own (single-node manager). */
    CoreLoop(String name) {
        eventLoop = null;
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            thread = t;
            return t;
        });
    }

    /**
     * The Netty event loop that also serves the node's connections: inbound envelopes reach the
     * cores and outbound ones reach the sockets without a thread hand-off.
     */
    CoreLoop(io.netty.channel.EventLoop eventLoop) {
        this.eventLoop = eventLoop;
        this.executor = eventLoop;
    }

    boolean inLoop() {
        return eventLoop != null ? eventLoop.inEventLoop() : Thread.currentThread() == thread;
    }

    /** Runs {@code r} on the loop every {@code millis} ms (housekeeping such as tossing idle resources). */
    void every(long millis, Runnable r) {
        if (eventLoop != null) {
            eventLoop.scheduleAtFixedRate(r, millis, millis, TimeUnit.MILLISECONDS);
        } else {
            ((java.util.concurrent.ScheduledExecutorService) executor).scheduleAtFixedRate(r, millis, millis, TimeUnit.MILLISECONDS);
        }
    }

    void execute(Runnable r) {
        if (!executor.isShutdown()) {
            executor.execute(r);
        }
    }

    /** Runs {@code c} on the loop and waits; DlmException and runtime exceptions pass through. */
    <T> T call(Callable<T> c) {
        if (inLoop()) {
            try {
                return c.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        Future<T> f;
        try {
            f = executor.submit(c);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new DlmException(DlmStatus.ENOTCONN, "lock manager is shut down");
        }
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DlmException(DlmStatus.ENOTCONN, "interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    void shutdown() {
        if (eventLoop != null) {
            return; // the owner shuts its event loop group down
        }
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
