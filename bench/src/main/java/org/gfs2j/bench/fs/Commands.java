package org.gfs2j.bench.fs;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs the external tools the benchmark needs (losetup, mkfs, mount, fio, ...). Every process it
 * starts is remembered until it ends, so that a shutdown hook can kill what is still running
 * before it unmounts (a busy mount point cannot be unmounted cleanly).
 */
public final class Commands {
    /** What a finished command returned. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }

        /** The last non-blank line of stderr (or stdout), for one-line error messages. */
        public String lastLine() {
            String text = stderr.isBlank() ? stdout : stderr;
            String[] lines = text.strip().split("\n");
            return lines.length == 0 ? "" : lines[lines.length - 1].strip();
        }

        /** Throws unless the command exited 0, naming the command and its last error line. */
        public Result check() throws CommandException {
            if (!ok()) {
                throw new CommandException(String.join(" ", command) + " exited " + exitCode
                        + (lastLine().isEmpty() ? "" : ": " + lastLine()));
            }
            return this;
        }
    }

    /** A command failed, timed out or could not be started. */
    public static final class CommandException extends IOException {
        private static final long serialVersionUID = 1L;

        public CommandException(String message) {
            super(message);
        }
    }

    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    private Commands() {
    }

    public static Result run(Duration timeout, String... command) throws CommandException {
        return run(List.of(command), timeout);
    }

    /** Runs a command to completion, capturing its output; kills it when the timeout passes. */
    public static Result run(List<String> command, Duration timeout) throws CommandException {
        Process p = start(command);
        try {
            CompletableFuture<String> out = drain(p.getInputStream());
            CompletableFuture<String> err = drain(p.getErrorStream());
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(p);
                throw new CommandException(String.join(" ", command) + " did not finish within "
                        + timeout.toSeconds() + " s");
            }
            return new Result(List.copyOf(command), p.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            kill(p);
            Thread.currentThread().interrupt();
            throw new CommandException(String.join(" ", command) + " interrupted");
        } finally {
            RUNNING.remove(p);
        }
    }

    /**
     * Starts a long-running command (a FUSE daemon) with stdout and stderr appended to a log file.
     * The caller owns the process; it is not killed by {@link #killRunning()}.
     */
    public static Process startDaemon(List<String> command, Path log) throws CommandException {
        return startDaemon(command, log, java.util.Map.of());
    }

    /** {@link #startDaemon(List, Path)} with extra environment variables. */
    public static Process startDaemon(List<String> command, Path log, java.util.Map<String, String> env)
            throws CommandException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        try {
            return pb.start();
        } catch (IOException e) {
            throw new CommandException("cannot start " + command.get(0) + ": " + e.getMessage());
        }
    }

    /** Whether an executable of this name is on the PATH (or in /sbin, /usr/sbin). */
    public static boolean exists(String name) {
        if (name.contains("/")) {
            return Files.isExecutable(Path.of(name));
        }
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin";
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }

    /** Kills every short-lived command still running (used by the shutdown hook). */
    public static void killRunning() {
        for (Process p : List.copyOf(RUNNING)) {
            kill(p);
        }
    }

    static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Process start(List<String> command) throws CommandException {
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        try {
            Process p = pb.start();
            RUNNING.add(p);
            return p;
        } catch (IOException e) {
            throw new CommandException("cannot run " + command.get(0) + ": " + e.getMessage());
        }
    }

    /**
     * Reads a stream to its end on a thread of its own: stdout and stderr must be drained at the
     * same time, or a tool that fills one pipe while we wait on the other blocks for ever (the
     * common fork-join pool has a single thread on a 2-core machine, so it cannot be used here).
     */
    private static CompletableFuture<String> drain(InputStream in) {
        CompletableFuture<String> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (in) {
                result.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                result.completeExceptionally(new UncheckedIOException(e));
            }
        }, "gfs2j-bench-drain");
        t.setDaemon(true);
        t.start();
        return result;
    }
}
