package org.gfs2j.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.gfs2j.cli.Gfs2jCommand;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import picocli.CommandLine;

/**
 * The fixture every end-to-end workload test shares, registered as a JUnit extension
 * ({@code @RegisterExtension final GfsMount fs = new GfsMount();}): a fresh sparse image (or a
 * loop device over one) formatted by {@code gfs2j mkfs}, mounted read-write by {@code gfs2j mount}
 * (a daemon JVM), shell workloads run against it, and {@link #unmountAndCheck()} ending with
 * {@code fsck.gfs2 -n}. After each test, pass or fail, it unmounts what is still mounted (lazily
 * as a last resort), kills a daemon still running, detaches the loop device and deletes its
 * temporary directory. {@link #perClass()} makes one that a whole test class shares (a static
 * field; the class's {@code @AfterAll} unmounts and checks), cleaned up after the class.
 *
 * <p>Shell scripts see {@code $M} (the mount point), {@code $S} (a scratch directory outside the
 * mount) and {@code $IMG} (the device).
 */
final class GfsMount implements AfterEachCallback, AfterAllCallback {
    private static final Pattern DAEMON_PID = Pattern.compile("daemon pid (\\d+)");

    record Result(int code, String out) {
        Result ok(String what) {
            assertEquals(0, code, what + " failed:\n" + out);
            return this;
        }
    }

    private Path dir;
    private Path image;
    private String loop;
    private Path mountpoint;
    private Path scratch;
    private long daemonPid = -1;
    private boolean mounted;
    private final boolean perClass;

    /** A fixture for one test: registered on an instance field, cleaned up after each test. */
    GfsMount() {
        this(false);
    }

    private GfsMount(boolean perClass) {
        this.perClass = perClass;
    }

    /** A fixture the tests of a class share: registered on a static field, cleaned up after the class. */
    static GfsMount perClass() {
        return new GfsMount(true);
    }

    /** Skips the test unless this host can run it: root, /dev/fuse, fsck.gfs2 and the given tools. */
    static void requireTools(String... tools) throws Exception {
        assumeTrue(Files.isWritable(Path.of("/dev/fuse")), "needs /dev/fuse");
        assumeTrue(run(List.of("id", "-u")).out().trim().equals("0"), "needs root");
        List<String> all = new ArrayList<>(List.of("fsck.gfs2"));
        all.addAll(List.of(tools));
        for (String t : all) {
            assumeTrue(run(List.of("sh", "-c", "command -v " + t)).code() == 0, "needs " + t);
        }
    }

    /** Formats a fresh sparse image file of {@code mib} MiB (lock_nolock, one journal). */
    Path formatImage(long mib) throws Exception {
        return format(mib, false);
    }

    /** Formats a loop device over a fresh sparse image file of {@code mib} MiB. */
    Path formatLoopDevice(long mib) throws Exception {
        assumeTrue(run(List.of("sh", "-c", "command -v losetup")).code() == 0, "needs losetup");
        return format(mib, true);
    }

    private Path format(long mib, boolean onLoop) throws Exception {
        dir = Files.createTempDirectory("gfs2j-e2e-");
        image = dir.resolve("fs.img");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(mib << 20);
        }
        mountpoint = Files.createDirectory(dir.resolve("mnt"));
        scratch = Files.createDirectory(dir.resolve("scratch"));
        if (onLoop) {
            Result r = run(List.of("losetup", "-f", "--show", image.toString())).ok("losetup");
            loop = r.out().trim();
        }
        gfs2j("mkfs", "-O", "-q", "-p", "lock_nolock", device().toString());
        return device();
    }

    /** The formatted device: the loop device, or the image file. */
    Path device() {
        return loop != null ? Path.of(loop) : image;
    }

    Path image() {
        return image;
    }

    Path mountpoint() {
        return mountpoint;
    }

    Path scratch() {
        return scratch;
    }

    /** The pid of the running mount daemon. */
    long daemonPid() {
        return daemonPid;
    }

    /** {@code gfs2j mount DEVICE MOUNTPOINT}: returns once mounted, with the daemon's pid recorded. */
    String mount(String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("mount"));
        if (options.length > 0) {
            args.addAll(List.of("-o", String.join(",", options)));
        }
        args.addAll(List.of(device().toString(), mountpoint.toString()));
        String out = gfs2j(args.toArray(String[]::new));
        Matcher m = DAEMON_PID.matcher(out);
        assertTrue(m.find(), "no daemon pid in: " + out);
        daemonPid = Long.parseLong(m.group(1));
        mounted = true;
        return out;
    }

    /** {@code gfs2j umount}, then nothing is mounted there and the daemon has ended. */
    void unmount() throws Exception {
        gfs2j("umount", mountpoint.toString());
        mounted = false;
        assertTrue(findmnt(mountpoint).isBlank(), mountpoint + " is still mounted");
        ProcessHandle.of(daemonPid).ifPresent(p -> assertTrue(p.onExit().orTimeout(20, TimeUnit.SECONDS)
                .handle((x, e) -> e == null).join(), "the mount daemon " + daemonPid + " did not end"));
    }

    /** Unmounts, then {@code fsck.gfs2 -n} must call the device clean. */
    void unmountAndCheck() throws Exception {
        unmount();
        assertFsckClean();
    }

    void assertFsckClean() throws Exception {
        Result fsck = run(List.of("fsck.gfs2", "-n", device().toString()));
        assertEquals(0, fsck.code(), "fsck.gfs2 -n " + device() + " is not clean:\n" + tail(fsck.out(), 60));
    }

    /** Forgets the mount after its daemon was killed (the stale FUSE mount is left in place). */
    void daemonKilled() {
        mounted = false;
    }

    /** Runs a bash script with {@code set -eu} and this fixture's variables; returns its exit code and output. */
    Result sh(String script) throws Exception {
        return sh(script, 180);
    }

    Result sh(String script, int timeoutSeconds) throws Exception {
        String env = "set -eu\nM='" + mountpoint + "'; S='" + scratch + "'; IMG='" + device() + "'\n";
        return run(List.of("/bin/bash", "-c", env + script), timeoutSeconds);
    }

    /** Runs the gfs2j CLI in this JVM; fails the test on a non-zero exit; returns what it printed. */
    static String gfs2j(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Gfs2jCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        assertEquals(0, code, "gfs2j " + String.join(" ", args) + ": " + out + err);
        return out + err.toString();
    }

    /** Runs a gfs2j verb that writes bytes to System.out (cat), in this JVM; returns them. */
    static synchronized byte[] gfs2jBytes(String... args) {
        java.io.PrintStream old = System.out;
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        try {
            System.setOut(new java.io.PrintStream(bytes, true));
            CommandLine cl = Gfs2jCommand.commandLine();
            cl.setErr(new PrintWriter(err, true));
            assertEquals(0, cl.execute(args), "gfs2j " + String.join(" ", args) + ": " + err);
            System.out.flush();
        } finally {
            System.setOut(old);
        }
        return bytes.toByteArray();
    }

    static Result run(List<String> cmd) throws IOException, InterruptedException {
        return run(cmd, 120);
    }

    static Result run(List<String> cmd, int timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        // Read on a thread of its own: the timeout must hold even when the output never ends, and a
        // background child that inherited the pipe must not keep us waiting after the command ended.
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        Thread reader = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (var in = p.getInputStream()) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    synchronized (out) {
                        out.write(buf, 0, n);
                    }
                }
            } catch (IOException e) {
                // the stream closes when the process and its children are gone
            }
        }, "output of " + cmd.get(0));
        reader.setDaemon(true);
        reader.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish within " + timeoutSeconds + " s");
        }
        reader.join(5_000);
        synchronized (out) {
            return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8));
        }
    }

    static String findmnt(Path mp) throws IOException, InterruptedException {
        return run(List.of("findmnt", "-n", mp.toString())).out().trim();
    }

    static String tail(String text, int lines) {
        String[] all = text.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (!perClass) {
            cleanUp(context);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (perClass) {
            cleanUp(context);
        }
    }

    private void cleanUp(ExtensionContext context) throws Exception {
        List<String> problems = new ArrayList<>();
        if (mountpoint != null && !findmnt(mountpoint).isBlank()) {
            // Left mounted by a failure (or a stale mount of a killed daemon): unmount, lazily if need be.
            StringWriter err = new StringWriter();
            CommandLine cl = Gfs2jCommand.commandLine();
            cl.setOut(new PrintWriter(new StringWriter(), true));
            cl.setErr(new PrintWriter(err, true));
            if (cl.execute("umount", mountpoint.toString()) != 0 || !findmnt(mountpoint).isBlank()) {
                run(List.of("umount", "-l", mountpoint.toString()));
            }
            if (mounted) {
                problems.add("left mounted");
            }
        }
        if (daemonPid > 0) {
            ProcessHandle.of(daemonPid).ifPresent(p -> {
                if (!p.onExit().orTimeout(20, TimeUnit.SECONDS).handle((x, e) -> e == null).join()) {
                    p.destroyForcibly();
                }
            });
        }
        if (loop != null) {
            run(List.of("losetup", "-d", loop));
            loop = null;
        }
        if (dir != null) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                problems.add("could not delete " + dir + ": " + e.getMessage());
            }
            dir = null;
        }
        if (!problems.isEmpty() && context.getExecutionException().isEmpty()) {
            throw new AssertionError("cleanup after the test: " + problems + " " + Map.of("mountpoint", String.valueOf(mountpoint)));
        }
    }
}
