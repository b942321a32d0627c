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
import org.gfs2j.fuse.nativeio.Native;
import org.gfs2j.fuse.nativeio.NativeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mounts a {@link FileSystem} with mount(2) (as root) and starts its session:
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

    public static FuseSession mount(Path mountpoint, MountOptions options, FileSystem fs) throws MountException {
        Path mp = checkMountpoint(mountpoint);
        requireRoot();
        if (!Files.exists(Path.of("/dev/fuse"))) {
            throw new MountException("/dev/fuse does not exist (load the fuse module: modprobe fuse)");
        }
        DevFuseChannel main;
        try {
            main = DevFuseChannel.open();
        } catch (NativeException e) {
            throw new MountException("cannot open /dev/fuse: " + e.getMessage(), e);
        }
        List<DevFuseChannel> channels = new ArrayList<>();
        channels.add(main);
        boolean mounted = false;
        try {
            long flags = Native.MS_NOSUID | Native.MS_NODEV | (options.readOnly() ? 1 : 0);
            try {
                Native.mount(options.fsName(), mp.toString(), "fuse." + options.subtype(), flags,
                        options.kernelOptions(main.fd(), 0, 0));
            } catch (NativeException e) {
                throw new MountException("mount " + mp + " failed: " + e.getMessage(), e);
            }
            mounted = true;
            // The fd is attached now: clone one descriptor per further worker and one for notifications.
            for (int i = 1; i <= options.workers(); i++) {
                channels.add(DevFuseChannel.cloneOf(main));
            }
            Dispatcher dispatcher = new Dispatcher(fs, options);
            SessionNotifier notifier = new SessionNotifier(channels.get(options.workers()));
            dispatcher.setNotifier(notifier);
            FuseSession session = new FuseSession(mp, options, dispatcher, notifier,
                    channels.subList(0, options.workers()), channels.get(options.workers()));
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
            LOG.info("mounted {} on {} ({} workers, max_write {})", options.fsName(), mp, options.workers(),
                    dispatcher.connection().maxWrite());
            return session;
        } catch (NativeException e) {
            cleanupFailedMount(mp, mounted, channels);
            throw new MountException("setting up the FUSE connection for " + mp + " failed: " + e.getMessage(), e);
        } catch (MountException | RuntimeException e) {
            cleanupFailedMount(mp, mounted, channels);
            throw e;
        }
    }

    private static void cleanupFailedMount(Path mp, boolean mounted, List<DevFuseChannel> channels) {
        if (mounted && isMountPoint(mp)) {
            try {
                Native.umount2(mp.toString(), Native.MNT_DETACH);
            } catch (NativeException e) {
                LOG.warn("cleanup: {}", e.getMessage());
            }
        }
        channels.forEach(DevFuseChannel::close);
    }

    private static void requireRoot() throws MountException {
        int uid;
        try {
            uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | RuntimeException e) {
            throw new MountException("cannot determine the current uid: " + e.getMessage(), e);
        }
        if (uid != 0) {
            throw new MountException("mounting needs root (uid 0); running as uid " + uid
                    + " (mounting through fusermount3 is not implemented yet)");
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
        String want = dir.toString();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
                String[] f = line.split(" ");
                if (f.length > 4 && unescape(f[4]).equals(want)) {
                    return true;
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot read /proc/self/mountinfo: {}", e.getMessage());
        }
        return false;
    }

    /** mountinfo escapes space, tab, newline and backslash as \ooo. */
    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                try {
                    sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                    i += 3;
                    continue;
                } catch (NumberFormatException e) {
                    // not an escape: keep the backslash
                }
            }
            sb.append(c);
        }
        return sb.toString();
    }
}
