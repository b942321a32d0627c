package org.gfs2j.fs.glock;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** The production {@link GlockScheduler}: one daemon worker thread, {@link System#nanoTime}. */
public final class ExecutorGlockScheduler implements GlockScheduler, AutoCloseable {
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
        executor.execute(task);
    }

    @Override
    public void schedule(Runnable task, long delayNanos) {
        executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
