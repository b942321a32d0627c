package org.gfs2j.bench.fs;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A stack of undo actions (unmount, detach a loop device, delete an image), run last-in first-out.
 * Targets push an action right after each step that made something, so a failure half-way through
 * set-up undoes exactly what was made. The shutdown hook runs the same stack on Ctrl-C. Every action
 * runs even when an earlier one failed; the failures are returned, not thrown.
 */
public final class Cleanup {
    /** One undo action. */
    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }

    private record Entry(String what, Action action) {
    }

    private final Deque<Entry> stack = new ArrayDeque<>();

    public synchronized void push(String what, Action action) {
        stack.push(new Entry(what, action));
    }

    public synchronized int size() {
        return stack.size();
    }

    /** Runs and removes every action, newest first; returns one message per action that failed. */
    public synchronized List<String> runAll() {
        List<String> failures = new ArrayList<>();
        while (!stack.isEmpty()) {
            Entry e = stack.pop();
            try {
                e.action().run();
            } catch (Exception ex) {
                failures.add(e.what() + ": " + ex.getMessage());
            }
        }
        return failures;
    }

    /** Runs every action like {@link #runAll()}, then throws one exception naming all failures. */
    public void runAllOrThrow() throws IOException {
        List<String> failures = runAll();
        if (!failures.isEmpty()) {
            throw new IOException(String.join("; ", failures));
        }
    }
}
