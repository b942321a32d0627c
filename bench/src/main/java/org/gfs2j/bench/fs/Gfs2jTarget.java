package org.gfs2j.bench.fs;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * gfs2j itself, single node: {@code gfs2j mkfs -O -p lock_nolock -j 1 IMAGE} on a sparse image,
 * then {@code gfs2j mount -o lockproto=lock_nolock IMAGE MNT} (a FUSE daemon, kept running while
 * the workloads run), and {@code gfs2j umount MNT} at the end.
 *
 * <p>The mount command may stay in the foreground (it then is the daemon) or return once mounted;
 * set-up waits until the mount point shows up in the mount table either way.
 */
public final class Gfs2jTarget implements Target {
    public static final String NAME = "gfs2j";
    private static final Duration MOUNT_WAIT = Duration.ofSeconds(60);
    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    /** The environment variable {@code gfs2j mount} passes to its daemon JVM as extra options. */
    static final String DAEMON_JAVA_OPTS = "GFS2J_DAEMON_JAVA_OPTS";
    private static final Pattern DAEMON_PID = Pattern.compile("daemon pid (\\d+)");

    private final long imageBytes;
    private final List<String> cli;
    private final boolean profile;
    private final Cleanup cleanup = new Cleanup();
    private Path recording;

    public Gfs2jTarget(TargetOptions options) {
        this.imageBytes = options.imageBytes();
        this.cli = options.gfs2jCommand();
        this.profile = options.profile();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "gfs2j single node (lock_nolock, 1 journal) through its own FUSE daemon";
    }

    @Override
    public Optional<String> unavailableReason() {
        if (cli.isEmpty()) {
            return Optional.of("no gfs2j command to run (build it with 'make build')");
        }
        if (cli.get(0).contains("/") && !Files.isExecutable(Path.of(cli.get(0)))) {
            return Optional.of(cli.get(0) + " is not an executable");
        }
        for (String verb : List.of("mkfs", "mount", "umount")) {
            try {
                // An unknown verb followed by --help prints the top-level usage and exits 0, so the
                // verb's own usage line is what tells that it exists.
                Commands.Result r = Commands.run(command(verb, "--help"), Duration.ofSeconds(60));
                if (!r.ok() || !r.stdout().contains("gfs2j " + verb)) {
                    return Optional.of("this gfs2j has no '" + verb + "' verb yet");
                }
            } catch (IOException e) {
                return Optional.of(e.getMessage());
            }
        }
        return Optional.empty();
    }

    @Override
    public Path setUp(Path workdir) throws Exception {
        Path dir = workdir.resolve(NAME);
        Path image = dir.resolve("image.img");
        Path mnt = dir.resolve("mnt");
        Path log = dir.resolve("mount.log");
        Files.createDirectories(mnt);
        Files.deleteIfExists(image);
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(imageBytes);
        }
        cleanup.push("delete " + image, () -> Files.deleteIfExists(image));
        Commands.run(command("mkfs", "-O", "-p", "lock_nolock", "-j", "1", image.toString()), TIMEOUT).check();

        Files.deleteIfExists(log);
        Map<String, String> env = new HashMap<>();
        if (profile) {
            recording = dir.resolve("daemon.jfr");
            env.put(DAEMON_JAVA_OPTS, JfrProfile.daemonJavaOptions(recording));
        }
        Process daemon = Commands.startDaemon(
                command("mount", "-o", "lockproto=lock_nolock", image.toString(), mnt.toString()), log, env);
        cleanup.push("unmount " + mnt, () -> unmount(mnt, daemon));
        awaitMount(mnt, daemon, log);
        return mnt;
    }

    private void awaitMount(Path mnt, Process daemon, Path log) throws Exception {
        long deadline = System.nanoTime() + MOUNT_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Mounts.isMounted(mnt)) {
                return;
            }
            if (!daemon.isAlive() && daemon.exitValue() != 0) {
                throw new IOException("gfs2j mount exited " + daemon.exitValue() + ": " + lastLine(log));
            }
            Thread.sleep(100);
        }
        throw new IOException("gfs2j mount did not mount " + mnt + " within " + MOUNT_WAIT.toSeconds()
                + " s: " + lastLine(log));
    }

    private void unmount(Path mnt, Process daemon) throws Exception {
        List<String> problems = new ArrayList<>();
        if (Mounts.isMounted(mnt)) {
            Commands.Result r = Commands.run(command("umount", mnt.toString()), TIMEOUT);
            if (!r.ok()) {
                problems.add("gfs2j umount exited " + r.exitCode() + ": " + r.lastLine());
                BindfsTarget.unmountFuse(mnt); // still leave nothing mounted
            }
        }
        if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
            problems.add("gfs2j daemon still running 30 s after unmount; killed");
            Commands.kill(daemon);
        }
        if (recording != null) {
            awaitDaemonExit(mnt.resolveSibling("mount.log"), problems);
        }
        if (!problems.isEmpty()) {
            throw new IOException(String.join("; ", problems));
        }
    }

    /**
     * {@code gfs2j mount} returns once its child JVM (the daemon) has mounted and names it in its
     * output ("daemon pid N"); the daemon writes its JFR recording when it exits, after the unmount.
     */
    private static void awaitDaemonExit(Path log, List<String> problems) throws InterruptedException {
        Matcher m;
        try {
            m = DAEMON_PID.matcher(Files.readString(log, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return;
        }
        if (!m.find()) {
            return; // a foreground daemon: waited for above
        }
        Optional<ProcessHandle> h = ProcessHandle.of(Long.parseLong(m.group(1)));
        if (h.isPresent()) {
            try {
                h.get().onExit().get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                problems.add("gfs2j daemon " + m.group(1) + " still running 60 s after unmount");
            }
        }
    }

    @Override
    public Optional<Path> profileRecording() {
        return Optional.ofNullable(recording);
    }

    private List<String> command(String... args) {
        List<String> c = new ArrayList<>(cli);
        c.addAll(List.of(args));
        return c;
    }

    private static String lastLine(Path log) {
        try {
            String[] lines = Files.readString(log, StandardCharsets.UTF_8).strip().split("\n");
            return lines.length == 0 || lines[lines.length - 1].isBlank()
                    ? "(no output)" : lines[lines.length - 1].strip();
        } catch (IOException e) {
            return "(no output)";
        }
    }

    @Override
    public void tearDown() throws Exception {
        cleanup.runAllOrThrow();
    }

    @Override
    public String versions() {
        try {
            return Commands.run(command("--version"), Duration.ofSeconds(60)).stdout().strip();
        } catch (IOException e) {
            return "gfs2j (version unknown)";
        }
    }
}
