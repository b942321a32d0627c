package org.gfs2j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.meta.Journal;
import org.gfs2j.fs.meta.NotGfs2Exception;
import org.gfs2j.fs.mount.MountConfig;
import org.gfs2j.fs.mount.ReadWriteGfs2Vfs;
import org.gfs2j.fs.vfs.Gfs2Vfs;
import org.gfs2j.fs.ondisk.Superblock;
import org.gfs2j.fs.vfs.ReadOnlyGfs2Vfs;
import org.gfs2j.fuse.gfs2.Gfs2FuseFileSystem;
import org.gfs2j.fuse.nativeio.Native;
import org.gfs2j.fuse.nativeio.NativeException;
import org.gfs2j.fuse.session.FuseMount;
import org.gfs2j.fuse.session.FuseSession;
import org.gfs2j.fuse.session.MountOptions;
import org.gfs2j.journal.format.CorruptMetadataException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code gfs2j mount}: mounts a GFS2 device through FUSE. Without {@code -f} it starts a daemon
 * (a child JVM running {@code mount -f}) and returns once the file system is mounted, or with the
 * daemon's error. The daemon unmounts cleanly on SIGTERM and ends when the file system is
 * unmounted ({@code gfs2j umount}).
 */
@Command(name = "mount", mixinStandardHelpOptions = true,
        description = {"Mount a GFS2 file system through FUSE, read-write (this host alone) or with -o ro read-only.",
                "Returns once mounted; a daemon serves it until `gfs2j umount MOUNTPOINT` or SIGTERM."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:mounted (with -f: unmounted cleanly)", "1:failed", "2:usage error"})
final class MountCommand implements Callable<Integer> {
    private static final long DAEMON_START_TIMEOUT_MS = 60_000;
    /** Environment variable with extra JVM options for the daemon JVM (e.g. a JFR recording). */
    static final String DAEMON_JAVA_OPTS = "GFS2J_DAEMON_JAVA_OPTS";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "-f", description = "Stay in the foreground (the daemon itself).")
    boolean foreground;

    @Option(names = "-o", paramLabel = "OPTIONS", split = ",",
            description = "Comma-separated: rw (the default) or ro, lockproto=lock_nolock (mount a lock_dlm file system"
                    + " on this host alone), allow_other, nonempty, debug.")
    List<String> options = new ArrayList<>();

    @Option(names = "--status-file", hidden = true, description = "Where the daemon reports readiness (internal).")
    Path statusFile;

    @Parameters(index = "0", paramLabel = "DEVICE", description = "Block device or image file holding the GFS2 file system.")
    Path device;

    @Parameters(index = "1", paramLabel = "MOUNTPOINT", description = "An empty directory.")
    Path mountpoint;

    /** The parsed -o options. */
    record Settings(boolean readOnly, String lockProto, boolean allowOther, boolean nonEmpty, boolean debug) {
    }

    Settings settings() {
        boolean ro = false;
        boolean rw = false;
        String lockProto = null;
        boolean allowOther = false;
        boolean nonEmpty = false;
        boolean debug = false;
        for (String o : options) {
            String opt = o.trim();
            if (opt.isEmpty()) {
                continue;
            }
            switch (opt) {
                case "ro" -> ro = true;
                case "rw" -> rw = true;
                case "allow_other" -> allowOther = true;
                case "nonempty" -> nonEmpty = true;
                case "debug" -> debug = true;
                default -> {
                    if (opt.startsWith("lockproto=")) {
                        lockProto = opt.substring("lockproto=".length());
                    } else {
                        throw new CommandLine.ParameterException(spec.commandLine(), "unknown mount option '" + opt
                                + "' (known: rw, ro, lockproto=lock_nolock, allow_other, nonempty, debug)");
                    }
                }
            }
        }
        return new Settings(ro && !rw, lockProto, allowOther, nonEmpty, debug);
    }

    @Override
    public Integer call() throws Exception {
        Settings s = settings();
        Path mp = canonical(mountpoint);
        Path dev = device.toAbsolutePath().normalize();
        try {
            if (s.lockProto() != null && !s.lockProto().equals("lock_nolock")) {
                throw new IOException("lockproto=" + s.lockProto() + " is not supported yet; only lockproto=lock_nolock"
                        + " (this host alone) is");
            }
            detachStaleMounts(dev, mp);
            checkMountpoint(mp, s.nonEmpty());
            if (!Files.exists(dev)) {
                throw new IOException(device + ": no such file or device");
            }
            // Fail early, before starting a daemon, when another gfs2j mount holds the device.
            MountRegistry.claim(dev).close();
            if (!foreground) {
                // Report a device we cannot mount from here, before a daemon is started (read-write:
                // checked without mounting, so that the daemon's mount is the only one).
                if (s.readOnly()) {
                    openDevice(dev, s).close();
                } else {
                    checkForReadWrite(dev, s);
                }
            }
        } catch (IOException e) {
            reportStatus("error " + e.getMessage());
            throw e;
        }
        return foreground ? serve(s, dev, mp) : startDaemon(s, dev, mp);
    }

    /**
     * The path as /proc/self/mountinfo shows it: symlinks resolved where possible (a stale mount
     * point cannot be resolved: then the absolute, normalized path).
     */
    static Path canonical(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        try {
            return abs.toRealPath();
        } catch (IOException e) {
            Path parent = abs.getParent();
            try {
                return parent == null ? abs : parent.toRealPath().resolve(abs.getFileName());
            } catch (IOException e2) {
                return abs;
            }
        }
    }

    /**
     * A gfs2j mount whose daemon died (kill -9, a crash) stays in the mount table and answers
     * ENOTCONN; its device's registry lock died with the daemon. Such a mount at {@code mp}, or of
     * {@code dev} anywhere, is detached, so that mounting again (which replays the journal) works.
     * Only mounts at this mount point or of this device are probed: opening another daemon's root
     * could hang on a daemon that is alive but slow.
     */
    private void detachStaleMounts(Path dev, Path mp) throws IOException {
        for (MountTable.Mount m : MountTable.read()) {
            boolean ours = m.mountpoint().equals(mp.toString()) || m.source().equals(dev.toString());
            if (ours && m.isGfs2j() && UmountCommand.isStale(Path.of(m.mountpoint()))) {
                try {
                    Native.umount2(m.mountpoint(), Native.MNT_DETACH);
                } catch (NativeException e) {
                    throw new IOException("a stale gfs2j mount of " + m.source() + " on " + m.mountpoint()
                            + " (its daemon is gone) could not be detached: " + e.getMessage(), e);
                }
                spec.commandLine().getErr().println("gfs2j mount: " + m.mountpoint() + ": the daemon of the previous mount of "
                        + m.source() + " was gone (killed or crashed); stale mount detached");
                spec.commandLine().getErr().flush();
            }
        }
    }

    static void checkMountpoint(Path mp, boolean nonEmpty) throws IOException {
        if (MountTable.at(mp).isPresent()) {
            throw new IOException("mount point " + mp + " is already a mount point");
        }
        if (!Files.exists(mp, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("mount point " + mp + " does not exist");
        }
        if (!Files.isDirectory(mp)) {
            throw new IOException("mount point " + mp + " is not a directory");
        }
        if (!nonEmpty) {
            try (var entries = Files.list(mp)) {
                if (entries.findAny().isPresent()) {
                    throw new IOException("mount point " + mp + " is not empty (use -o nonempty to mount over its files)");
                }
            }
        }
    }

    /** Opens and validates the device, with messages that say what to do. */
    private static Gfs2Vfs openDevice(Path dev, Settings s) throws IOException {
        if (!s.readOnly()) {
            checkForReadWrite(dev, s);
            return openReadWrite(dev);
        }
        ReadOnlyGfs2Vfs vfs;
        try {
            vfs = ReadOnlyGfs2Vfs.open(dev);
        } catch (NotGfs2Exception e) {
            throw new IOException(dev + ": not a GFS2 file system (" + reason(e.getMessage()) + ")", e);
        } catch (CorruptMetadataException e) {
            throw new IOException(dev + ": the file system is damaged, run fsck.gfs2: " + e.getMessage(), e);
        }
        try {
            checkLockProtocol(dev, vfs.superblock(), s);
        } catch (IOException e) {
            vfs.close();
            throw e;
        }
        return vfs;
    }

    private static void checkLockProtocol(Path dev, Superblock sb, Settings s) throws IOException {
        if (!"lock_nolock".equals(sb.lockProto()) && !"lock_nolock".equals(s.lockProto())) {
            throw new IOException(dev + " is a cluster file system (lock protocol " + sb.lockProto()
                    + (sb.lockTable().isEmpty() ? "" : ", lock table " + sb.lockTable()) + "): mounting it needs the"
                    + " cluster settings, which are not available yet; to mount it on this host alone (no other node"
                    + " may have it mounted), add -o lockproto=lock_nolock");
        }
    }

    /**
     * Before a read-write mount: a GFS2 file system this host may mount alone, whose other journals
     * are clean (the mount replays journal 0, its own; another node's unreplayed journal would be
     * overwritten by our allocations).
     */
    private static void checkForReadWrite(Path dev, Settings s) throws IOException {
        try (FileSystemReader r = FileSystemReader.open(dev)) {
            checkLockProtocol(dev, r.superblock(), s);
            List<Journal> journals = r.journals();
            if (journals.isEmpty()) {
                throw new IOException(dev + ": the file system is damaged, run fsck.gfs2: it has no journals");
            }
            for (Journal j : journals) {
                if (j.id() != 0 && !r.head(j).isClean()) {
                    throw new IOException(dev + ": " + j.name() + " is dirty (another node did not unmount cleanly);"
                            + " this mount replays only journal0: run `fsck.gfs2 -y " + dev + "` to replay it");
                }
            }
        } catch (NotGfs2Exception e) {
            throw new IOException(dev + ": not a GFS2 file system (" + reason(e.getMessage()) + ")", e);
        } catch (CorruptMetadataException e) {
            throw new IOException(dev + ": the file system is damaged, run fsck.gfs2: " + e.getMessage(), e);
        }
    }

    private static String mode(Settings s) {
        return s.readOnly() ? "read-only" : "read-write";
    }

    /** The read-write mount as journal 0 (single node); closing it unmounts (clean log header, statfs synced). */
    private static ReadWriteGfs2Vfs openReadWrite(Path dev) throws IOException {
        try {
            return ReadWriteGfs2Vfs.mount(dev, MountConfig.of(0));
        } catch (CorruptMetadataException e) {
            throw new IOException(dev + ": the file system is damaged, run fsck.gfs2: " + e.getMessage(), e);
        }
    }

    private static String reason(String message) {
        int open = message.indexOf('(');
        int close = message.lastIndexOf(')');
        return open >= 0 && close > open ? message.substring(open + 1, close) : message;
    }

    /** The daemon: mount, report readiness, serve until unmounted or SIGTERM. */
    private int serve(Settings s, Path dev, Path mp) throws IOException, InterruptedException {
        if (s.debug()) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "debug");
        }
        MountRegistry.Claim claim;
        Gfs2Vfs vfs = null;
        FuseSession session;
        try {
            claim = MountRegistry.claim(dev);
            try {
                vfs = openDevice(dev, s);
                MountOptions mo = MountOptions.defaults().withFsName(fsName(dev)).withReadOnly(s.readOnly())
                        .withAllowOther(s.allowOther());
                session = FuseMount.mount(mp, mo, new Gfs2FuseFileSystem(vfs));
                claim.record(ProcessHandle.current().pid(), dev, mp);
            } catch (IOException | RuntimeException e) {
                if (vfs != null) {
                    vfs.close();
                }
                claim.close();
                throw e;
            }
        } catch (IOException e) {
            reportStatus("error " + e.getMessage());
            throw e;
        }
        Gfs2Vfs openVfs = vfs;
        AtomicBoolean done = new AtomicBoolean();
        Runnable shutdown = () -> {
            if (done.compareAndSet(false, true)) {
                session.close();
                try {
                    openVfs.close();
                } catch (IOException e) {
                    System.err.println("gfs2j mount: closing " + dev + ": " + e.getMessage());
                }
                claim.close();
            }
        };
        Thread hook = new Thread(shutdown, "gfs2j-unmount");
        Runtime.getRuntime().addShutdownHook(hook);
        reportStatus("ready");
        out().println("gfs2j: " + dev + " mounted " + mode(s) + " on " + mp + " (pid " + ProcessHandle.current().pid() + ")");
        out().flush();
        while (!session.awaitEnd(1, TimeUnit.HOURS)) {
            // served until unmounted
        }
        shutdown.run();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
        out().println("gfs2j: " + mp + " unmounted");
        out().flush();
        return Gfs2jCommand.EXIT_OK;
    }

    /** The first column of /proc/mounts: the device path, if it has no characters mount(2) options forbid. */
    private static String fsName(Path dev) {
        String s = dev.toString();
        return s.indexOf(',') >= 0 || s.indexOf(' ') >= 0 || s.isEmpty() ? "gfs2j" : s;
    }

    private void reportStatus(String status) {
        if (statusFile == null) {
            return;
        }
        try {
            Path tmp = statusFile.resolveSibling(statusFile.getFileName() + ".tmp");
            Files.writeString(tmp, status.replace('\n', ' ') + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, statusFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            System.err.println("gfs2j mount: cannot write status file " + statusFile + ": " + e.getMessage());
        }
    }

    /** Starts {@code mount -f} as a child JVM and waits until it reports the mount ready or failed. */
    private int startDaemon(Settings s, Path dev, Path mp) throws IOException, InterruptedException {
        Path logs = MountRegistry.logDir();
        Files.createDirectories(logs);
        Path log = logs.resolve("mount" + mp.toString().replace('/', '_') + ".log");
        Path status = Files.createTempFile(MountRegistry.runDir(), "mount-", ".status");
        Files.delete(status);
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            cmd.add("/usr/bin/setsid");  // its own session: not hung up with the caller's terminal
        }
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String arg : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-Xmx") || arg.startsWith("-Xss") || arg.startsWith("-Dorg.slf4j.")) {
                cmd.add(arg);
            }
        }
        if (s.debug()) {
            cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=debug");
        }
        cmd.addAll(daemonJavaOptions(System.getenv(DAEMON_JAVA_OPTS)));
        cmd.addAll(List.of("-cp", daemonClassPath(), Gfs2jCommand.class.getName(),
                "mount", "-f", "--status-file", status.toString()));
        if (!options.isEmpty()) {
            cmd.addAll(List.of("-o", String.join(",", options)));
        }
        cmd.addAll(List.of(dev.toString(), mp.toString()));
        Process p = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectErrorStream(true)
                .start();
        try {
            long deadline = System.currentTimeMillis() + DAEMON_START_TIMEOUT_MS;
            while (true) {
                if (Files.exists(status)) {
                    String st = Files.readString(status, StandardCharsets.UTF_8).trim();
                    if (st.equals("ready")) {
                        out().println("gfs2j: " + dev + " mounted " + mode(s) + " on " + mp + " (daemon pid " + p.pid()
                                + ", log " + log + "); unmount with: gfs2j umount " + mp);
                        out().flush();
                        return Gfs2jCommand.EXIT_OK;
                    }
                    p.waitFor(5, TimeUnit.SECONDS);
                    throw new IOException(st.startsWith("error ") ? st.substring(6) : st);
                }
                if (!p.isAlive()) {
                    throw new IOException("the mount daemon exited (status " + p.exitValue() + ") before mounting; its log "
                            + log + " says: " + tail(log));
                }
                if (System.currentTimeMillis() > deadline) {
                    p.destroy();
                    throw new IOException("the mount daemon did not report within " + DAEMON_START_TIMEOUT_MS / 1000
                            + " s; stopped it (log: " + log + ")");
                }
                // Waiting on a child that reports through a file: poll both.
                p.waitFor(50, TimeUnit.MILLISECONDS);
            }
        } finally {
            Files.deleteIfExists(status);
        }
    }

    /**
     * Extra JVM options for the daemon, from {@value #DAEMON_JAVA_OPTS} (whitespace-separated):
     * the daemon is a child JVM, so options given to this one do not reach it (only -Xmx, -Xss and
     * slf4j properties are passed on). {@code gfs2j bench fs --profile} starts it with a JFR
     * recording this way.
     */
    static List<String> daemonJavaOptions(String env) {
        List<String> opts = new ArrayList<>();
        if (env != null) {
            for (String o : env.trim().split("\\s+")) {
                if (!o.isEmpty()) {
                    opts.add(o);
                }
            }
        }
        return opts;
    }

    /**
     * The class path for the daemon. A single jar (bin/gfs2j) is copied into the run directory
     * first: a rebuild replaces the jar while the daemon still loads classes from it.
     */
    private static String daemonClassPath() throws IOException {
        String cp = System.getProperty("java.class.path");
        Path jar = Path.of(cp);
        if (cp.contains(java.io.File.pathSeparator) || !cp.endsWith(".jar") || !Files.isRegularFile(jar)) {
            return cp;
        }
        Path jars = MountRegistry.runDir().resolve("jars");
        Files.createDirectories(jars);
        Path copy = jars.resolve("gfs2j-" + Files.size(jar) + "-" + Files.getLastModifiedTime(jar).toMillis() + ".jar");
        if (!Files.exists(copy)) {
            Path tmp = Files.createTempFile(jars, "copy-", ".jar");
            Files.copy(jar, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, copy, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        return copy.toString();
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
