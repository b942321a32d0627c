package org.gfs2j.fuse.session;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.gfs2j.fuse.fs.Notifier;
import org.gfs2j.fuse.nativeio.Native;
import org.gfs2j.fuse.nativeio.NativeException;
import org.gfs2j.fuse.protocol.Errno;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mounted file system: worker threads, each blocking in read(2) on its own cloned /dev/fuse
 * descriptor and answering on it, plus the notifier. {@link #close()} unmounts (lazily if busy,
 * aborting the connection if it still does not end) and joins the workers.
 */
public final class FuseSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FuseSession.class);
    private static final long DETACH_GRACE_MS = 2000;

    private final Path mountpoint;
    private final MountOptions options;
    private final Dispatcher dispatcher;
    private final SessionNotifier notifier;
    private final List<? extends Channel> workerChannels;
    private final Channel notifyChannel;
    private final List<Thread> workers = new ArrayList<>();
    private final CountDownLatch ended;
    private volatile boolean closing;
    private volatile String connectionId;
    /** The mount's backing device info name in sysfs ("0:42"), or null. */
    private volatile String bdi;
    /** fusermount3 path when the mount was made through it (unmount with it too), else null. */
    private final String fusermount;

    FuseSession(Path mountpoint, MountOptions options, Dispatcher dispatcher, SessionNotifier notifier,
                List<? extends Channel> workerChannels, Channel notifyChannel, String fusermount) {
        this.fusermount = fusermount;
        this.mountpoint = mountpoint;
        this.options = options;
        this.dispatcher = dispatcher;
        this.notifier = notifier;
        this.workerChannels = List.copyOf(workerChannels);
        this.notifyChannel = notifyChannel;
        this.ended = new CountDownLatch(workerChannels.size());
    }

    void start() {
        int i = 0;
        for (Channel ch : workerChannels) {
            Thread t = new Thread(() -> workerLoop(ch), "fuse-worker-" + i++);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
    }

    private void workerLoop(Channel ch) {
        ByteBuffer in = ByteBuffer.allocateDirect(options.requestBufferSize());
        ByteBuffer out = ByteBuffer.allocateDirect(options.maxWrite() + 4096);
        try {
            while (true) {
                int n;
                try {
                    n = ch.read(in);
                } catch (ChannelClosedException e) {
                    LOG.debug("{}: {}", Thread.currentThread().getName(), e.getMessage());
                    return;
                } catch (IOException e) {
                    if (closing) {
                        return;
                    }
                    LOG.error("reading /dev/fuse failed; worker stops", e);
                    return;
                }
                if (n > 0) {
                    in.clear();
                    dispatcher.dispatch(ch, in, n, out);
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.error("FUSE worker died", e);
        } finally {
            ended.countDown();
        }
    }

    /** Records the fusectl connection id (minor of st_dev) so a stuck session can be aborted. */
    void recordConnectionId() {
        try {
            long dev = (Long) Files.getAttribute(mountpoint, "unix:dev");
            long minor = (dev & 0xff) | ((dev >>> 12) & 0xfff00);
            long major = (dev >>> 8) & 0xfff;
            connectionId = Long.toString(minor);
            bdi = major + ":" + minor;
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot stat {}: {}", mountpoint, e.toString());
        }
    }

    /**
     * Raises the mount's readahead (its backing device's {@code read_ahead_kb}) to {@code kb}. The
     * kernel starts every FUSE mount at 128 KiB, so a sequential read reaches the file system as
     * 128 KiB READs however large max_read is; with readahead at max_read one READ carries up to
     * 1 MiB, which the file system serves with one device transfer per extent. Best effort: needs
     * root (sysfs); only ever raised, never lowered.
     */
    void raiseReadahead(int kb) {
        if (bdi == null) {
            return;
        }
        Path ra = Path.of("/sys/class/bdi", bdi, "read_ahead_kb");
        try {
            int now = Integer.parseInt(Files.readString(ra, StandardCharsets.US_ASCII).trim());
            if (now < kb) {
                Files.writeString(ra, Integer.toString(kb), StandardCharsets.US_ASCII);
                LOG.debug("{}: readahead {} KiB -> {} KiB", mountpoint, now, kb);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("{}: readahead stays as it is ({}): {}", mountpoint, ra, e.toString());
        }
    }

    public Path mountpoint() {
        return mountpoint;
    }

    /** Invalidations for the kernel caches of this mount (see {@link Notifier} for the rules). */
    public Notifier notifier() {
        return notifier;
    }

    /** The raw layer (negotiated connection, lookup counts). */
    public Dispatcher dispatcher() {
        return dispatcher;
    }

    /** Waits until the connection ended (unmounted from outside, aborted, or closed). */
    public boolean awaitEnd(long timeout, TimeUnit unit) throws InterruptedException {
        return ended.await(timeout, unit);
    }

    /** Aborts the connection through the fusectl file system: every request fails, workers stop. */
    public boolean abort() {
        if (connectionId == null) {
            return false;
        }
        Path abort = Path.of("/sys/fs/fuse/connections", connectionId, "abort");
        try {
            if (!Files.exists(abort)) {
                Path dir = Path.of("/sys/fs/fuse/connections");
                if (Files.isDirectory(dir) && !FuseMount.isMountPoint(dir)) {
                    Native.mount("fusectl", dir.toString(), "fusectl", 0, null);
                }
            }
            Files.writeString(abort, "1", StandardCharsets.US_ASCII);
            return true;
        } catch (IOException e) {
            LOG.warn("cannot abort FUSE connection {}: {}", connectionId, e.getMessage());
            return false;
        }
    }

    /**
     * Unmounts (umount2; MNT_DETACH if busy), waits for the workers, and aborts the connection if
     * a detached mount is still held open by someone. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closing) {
            return;
        }
        closing = true;
        unmount();
        try {
            if (!ended.await(DETACH_GRACE_MS, TimeUnit.MILLISECONDS)) {
                LOG.warn("{}: connection still in use after unmount; aborting it", mountpoint);
                abort();
                if (!ended.await(DETACH_GRACE_MS, TimeUnit.MILLISECONDS)) {
                    LOG.error("{}: workers did not stop; closing their descriptors", mountpoint);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        dispatcher.shutdown();
        notifier.close();
        workerChannels.forEach(Channel::close);
        notifyChannel.close();
        for (Thread t : workers) {
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }

    private void unmount() {
        if (!FuseMount.isMountPoint(mountpoint)) {
            return;
        }
        if (fusermount != null) {
            if (!FuseMount.fusermountUnmount(fusermount, mountpoint, false)
                    && !FuseMount.fusermountUnmount(fusermount, mountpoint, true)) {
                LOG.warn("{}: fusermount3 could not unmount", mountpoint);
            }
            return;
        }
        try {
            Native.umount2(mountpoint.toString(), 0);
            return;
        } catch (NativeException e) {
            if (e.errno() != Errno.EBUSY) {
                LOG.warn("unmount {}: {}", mountpoint, e.getMessage());
            }
        }
        try {
            Native.umount2(mountpoint.toString(), Native.MNT_DETACH);
        } catch (NativeException e) {
            LOG.warn("lazy unmount {}: {}", mountpoint, e.getMessage());
        }
    }
}
