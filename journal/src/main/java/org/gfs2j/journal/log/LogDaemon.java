package org.gfs2j.journal.log;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Calls {@link JournalLog#tick()} periodically: age-driven flushes and background write-back. */
public final class LogDaemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogDaemon.class);
    private final ScheduledExecutorService executor;

    public LogDaemon(JournalLog log, Duration interval) {
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gfs2j-logd");
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(1, interval.toMillis());
        executor.scheduleWithFixedDelay(() -> {
            if (!log.isUsable()) {
                executor.shutdown(); // closed or withdrawn: nothing more to do
                return;
            }
            try {
                log.tick();
            } catch (Exception e) {
                if (log.isUsable()) {
                    LOG.warn("log daemon: {}", e.toString());
                }
            }
        }, ms, ms, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
