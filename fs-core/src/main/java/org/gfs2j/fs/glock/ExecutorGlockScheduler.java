package org.gfs2j.fs.glock;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The production {@link GlockScheduler}: one daemon worker thread, {@link System#nanoTime}. */
public final class ExecutorGlockScheduler implements GlockScheduler, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorGlockScheduler.class);
    private final ScheduledExecutorService executor;

    public ExecutorGlockScheduler(String name) {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "glock-worker-" + name);
            t.setDaemon(true);
            return t;
        });
        e.setRemoveOnCancelPolicy(true);
        this.executor = e;
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public void execute(Runnable task) {
        executor.execute(guarded(task));
    }

    @Override
    public void schedule(Runnable task, long delayNanos) {
        executor.schedule(guarded(task), delayNanos, TimeUnit.NANOSECONDS);
    }

    /** A failing task must not go unnoticed (executors swallow exceptions into futures nobody reads). */
    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                LOG.error("glock worker task failed", e);
            }
        };
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
