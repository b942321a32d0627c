package org.gfs2j.fuse.session;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.gfs2j.fuse.fs.FileSystem;
import org.gfs2j.fuse.nativeio.FusermountFd;
import org.gfs2j.fuse.nativeio.Native;
import org.gfs2j.fuse.nativeio.NativeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mounts a {@link FileSystem} (mount(2) as root, fusermount3 otherwise) and starts its session:
 * <pre>
 * try (FuseSession s = FuseMount.mount(Path.of("/mnt/x"), MountOptions.defaults(), fs)) {
 *     ... the file system is usable; s.notifier() sends invalidations ...
 * }   // unmounts and joins the workers
 * </pre>
 * Returns only after INIT has been answered, so the caller may touch the mount point at once.
 */
public final class FuseMount {
    private static final Logger LOG = LoggerFactory.getLogger(FuseMount.class);
    private static final long INIT_TIMEOUT_SECONDS = 10;

    private FuseMount() {
    }

    /**
     * Mounts {@code fs} on {@code mountpoint}: with mount(2) when running as root, otherwise through
     * fusermount3 (which needs {@code user_allow_other} in /etc/fuse.conf for allow_other).
     */
    public static FuseSession mount(Path mountpoint, MountOptions options, FileSystem fs) throws MountException {
        Path mp = checkMountpoint(mountpoint);
        return currentUid() == 0 ? mount(mp, options, fs, false) : mount(mp, options, fs, true);
    }

    /** Mounts through fusermount3 even as root (what a non-root mount does). */
    public static FuseSession mountWithFusermount(Path mountpoint, MountOptions options, FileSystem fs)
            throws MountException {
        return mount(checkMountpoint(mountpoint), options, fs, true);
    }

    private static FuseSession mount(Path mp, MountOptions options, FileSystem fs, boolean viaHelper)
            throws MountException {
        if (!Files.exists(Path.of("/dev/fuse"))) {
            throw new MountException("/dev/fuse does not exist (load the fuse module: modprobe fuse)");
        }
        DevFuseChannel main;
        if (viaHelper) {
            String helper = findFusermount();
            try {
                main = new DevFuseChannel(FusermountFd.mount(helper, mp.toString(), options.fusermountOptions()));
            } catch (NativeException e) {
                throw new MountException("mount " + mp + " through " + helper + " failed: " + e.getMessage(), e);
            }
        } else {
            try {
                main = DevFuseChannel.open();
            } catch (NativeException e) {
                throw new MountException("cannot open /dev/fuse: " + e.getMessage(), e);
            }
        }
        List<DevFuseChannel> channels = new ArrayList<>();
        channels.add(main);
        boolean mounted = viaHelper;
        try {
            if (!viaHelper) {
                long flags = Native.MS_NOSUID | Native.MS_NODEV | (options.readOnly() ? 1 : 0);
                try {
                    Native.mount(options.fsName(), mp.toString(), "fuse." + options.subtype(), flags,
                            options.kernelOptions(main.fd(), 0, 0));
                } catch (NativeException e) {
                    throw new MountException("mount " + mp + " failed: " + e.getMessage(), e);
                }
                mounted = true;
            }
            // The fd is attached now: clone one descriptor per further worker and one for notifications.
            for (int i = 1; i <= options.workers(); i++) {
                channels.add(DevFuseChannel.cloneOf(main));
            }
            Dispatcher dispatcher = new Dispatcher(fs, options);
            SessionNotifier notifier = new SessionNotifier(channels.get(options.workers()));
            dispatcher.setNotifier(notifier);
            FuseSession session = new FuseSession(mp, options, dispatcher, notifier,
                    channels.subList(0, options.workers()), channels.get(options.workers()),
                    viaHelper ? findFusermount() : null);
            session.start();
            boolean ok;
            try {
                ok = dispatcher.awaitInit(INIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ok = false;
            }
            if (!ok || dispatcher.connection() == null) {
                session.close();
                String why = dispatcher.initFailure() != null ? "INIT refused: " + dispatcher.initFailure()
                        : "the kernel's INIT was not answered within " + INIT_TIMEOUT_SECONDS + " s";
                throw new MountException("mount " + mp + ": " + why + "; unmounted");
            }
            notifier.connected(dispatcher.connection());
            session.recordConnectionId();
            session.raiseReadahead(dispatcher.connection().maxWrite() / 1024);
            LOG.info("mounted {} on {} ({}, {} workers, max_write {})", options.fsName(), mp,
                    viaHelper ? "via fusermount3" : "mount(2)", options.workers(), dispatcher.connection().maxWrite());
            return session;
        } catch (NativeException e) {
            cleanupFailedMount(mp, mounted, channels, viaHelper);
            throw new MountException("setting up the FUSE connection for " + mp + " failed: " + e.getMessage(), e);
        } catch (MountException | RuntimeException e) {
            cleanupFailedMount(mp, mounted, channels, viaHelper);
            throw e;
        }
    }

    private static String findFusermount() throws MountException {
        for (String dir : new String[] {"/usr/bin", "/bin", "/usr/local/bin", "/usr/sbin", "/sbin"}) {
            Path p = Path.of(dir, "fusermount3");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new MountException("mounting without root needs fusermount3 (package fuse3), which was not found");
    }

    /** Unmounts a mount made through fusermount3: {@code fusermount3 -u [-z] -q mountpoint}. */
    static boolean fusermountUnmount(String helper, Path mp, boolean lazy) {
        List<String> cmd = new ArrayList<>(List.of(helper, "-u", "-q"));
        if (lazy) {
            cmd.add("-z");
        }
        cmd.add(mp.toString());
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            boolean ok = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
            if (!ok && !out.isEmpty()) {
                LOG.debug("{}: {}", String.join(" ", cmd), out);
            }
            return ok;
        } catch (IOException e) {
            LOG.warn("{}: {}", String.join(" ", cmd), e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void cleanupFailedMount(Path mp, boolean mounted, List<DevFuseChannel> channels,
                                           boolean viaHelper) {
        if (mounted && isMountPoint(mp)) {
            if (viaHelper) {
                try {
                    fusermountUnmount(findFusermount(), mp, true);
                } catch (MountException e) {
                    LOG.warn("cleanup: {}", e.getMessage());
                }
            } else {
                try {
                    Native.umount2(mp.toString(), Native.MNT_DETACH);
                } catch (NativeException e) {
                    LOG.warn("cleanup: {}", e.getMessage());
                }
            }
        }
        channels.forEach(DevFuseChannel::close);
    }

    private static int currentUid() throws MountException {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | RuntimeException e) {
            throw new MountException("cannot determine the current uid: " + e.getMessage(), e);
        }
    }

    /** Checks the mount point exists, is a directory and is not already a mount point. */
    static Path checkMountpoint(Path mountpoint) throws MountException {
        Path abs = mountpoint.toAbsolutePath().normalize();
        if (!Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) {
            throw new MountException("mount point " + abs + " does not exist");
        }
        Path real;
        try {
            real = abs.toRealPath();
        } catch (IOException e) {
            throw new MountException("mount point " + abs + " cannot be resolved: " + e.getMessage(), e);
        }
        if (!Files.isDirectory(real)) {
            throw new MountException("mount point " + abs + " is not a directory");
        }
        if (isMountPoint(real)) {
            throw new MountException("mount point " + real + " is already a mount point");
        }
        return real;
    }

    /** Whether {@code dir} appears as a mount point in /proc/self/mountinfo. */
    static boolean isMountPoint(Path dir) {
        try {
            return MountInfo.at(dir).isPresent();
        } catch (IOException e) {
            LOG.warn("cannot read {}: {}", MountInfo.SELF, e.getMessage());
        }
        return false;
    }
}
