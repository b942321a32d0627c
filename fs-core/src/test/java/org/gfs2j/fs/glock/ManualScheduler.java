package org.gfs2j.fs.glock;

import java.util.ArrayDeque;
import java.util.PriorityQueue;

/** Virtual time and a worker that runs only when the test says so. */
final class ManualScheduler implements GlockScheduler {
    private record Timer(long due, long seq, Runnable task) {
    }

    private long now = 1_000_000_000L;
    private long seq;
    private final ArrayDeque<Runnable> ready = new ArrayDeque<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>((a, b) -> a.due != b.due
            ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public synchronized void execute(Runnable task) {
        ready.add(task);
    }

    @Override
    public synchronized void schedule(Runnable task, long delayNanos) {
        timers.add(new Timer(now + delayNanos, seq++, task));
    }

    /** Runs ready tasks (and the ones they add) until none is left; returns how many ran. */
    int runAll() {
        int n = 0;
        while (true) {
            Runnable r;
            synchronized (this) {
                r = ready.poll();
            }
            if (r == null) {
                return n;
            }
            r.run();
            n++;
        }
    }

    synchronized int readyTasks() {
        return ready.size();
    }

    synchronized int timers() {
        return timers.size();
    }

    /** Moves virtual time forward, making due timers ready, then runs everything ready. */
    int advance(long nanos) {
        synchronized (this) {
            now += nanos;
            while (!timers.isEmpty() && timers.peek().due <= now) {
                ready.add(timers.poll().task);
            }
        }
        return runAll();
    }
}
