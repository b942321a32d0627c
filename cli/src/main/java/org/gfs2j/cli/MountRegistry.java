package org.gfs2j.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Properties;

/**
 * Which devices gfs2j has mounted on this host: one lock file per device under
 * {@code /run/gfs2j/devices} (or {@code $GFS2J_RUN_DIR}), held locked (fcntl) by the mount daemon
 * for as long as it runs, so a crash releases it. The file records the daemon's pid, the device
 * and the mount point. Devices are identified by what they are, not by path: a block device by its
 * device number, an image file by file system and inode number.
 */
final class MountRegistry {
    private MountRegistry() {
    }

    static Path runDir() {
        String env = System.getenv("GFS2J_RUN_DIR");
        if (env != null && !env.isEmpty()) {
            return Path.of(env);
        }
        // /run/gfs2j for root; an unprivileged user keeps its own registry.
        return Files.isWritable(Path.of("/run")) ? Path.of("/run/gfs2j")
                : Path.of(System.getProperty("java.io.tmpdir"), "gfs2j-" + System.getProperty("user.name"));
    }

    static Path logDir() {
        return runDir().resolve("logs");
    }

    /** What a registry file says about the mount holding it. */
    record Holder(long pid, String device, String mountpoint) {
        static Holder parse(String text) throws IOException {
            Properties p = new Properties();
            p.load(new java.io.StringReader(text));
            long pid;
            try {
                pid = Long.parseLong(p.getProperty("pid", "-1"));
            } catch (NumberFormatException e) {
                pid = -1;
            }
            return new Holder(pid, p.getProperty("device", "?"), p.getProperty("mountpoint", "?"));
        }

        String describe() {
            return "mounted on " + mountpoint + " by gfs2j (pid " + pid + ")";
        }
    }

    /** The lock on one device, held while mounted; {@link #close()} releases it. */
    static final class Claim implements AutoCloseable {
        private final Path file;
        private final FileChannel channel;
        private final FileLock lock;

        private Claim(Path file, FileChannel channel, FileLock lock) {
            this.file = file;
            this.channel = channel;
            this.lock = lock;
        }

        /** Records the daemon's pid and mount point in the claim file. */
        void record(long pid, Path device, Path mountpoint) throws IOException {
            String text = "pid=" + pid + "\ndevice=" + device + "\nmountpoint=" + mountpoint + "\n";
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(false);
        }

        @Override
        public void close() {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a stale file is harmless: it is unlocked
            }
            try {
                lock.release();
                channel.close();
            } catch (IOException e) {
                // closing releases the lock in any case
            }
        }
    }

    static Path claimFile(Path device) throws IOException {
        if (!Files.exists(device)) {
            throw new IOException(device + ": no such file or device");
        }
        int mode = (Integer) Files.getAttribute(device, "unix:mode");
        String key;
        if ((mode & 0170000) == 0060000) {
            long rdev = (Long) Files.getAttribute(device, "unix:rdev");
            key = "blockdev-" + Long.toHexString(rdev);
        } else {
            long dev = (Long) Files.getAttribute(device, "unix:dev");
            long ino = (Long) Files.getAttribute(device, "unix:ino");
            key = "file-" + Long.toHexString(dev) + "-" + ino;
        }
        return runDir().resolve("devices").resolve(key + ".lock");
    }

    /** Locks {@code device} for a mount, or explains who holds it. */
    static Claim claim(Path device) throws IOException {
        Path file = claimFile(device);
        Files.createDirectories(file.getParent());
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        if (lock == null) {
            String who;
            try {
                who = Holder.parse(Files.readString(file, StandardCharsets.UTF_8)).describe();
            } catch (IOException e) {
                who = "mounted by gfs2j";
            }
            ch.close();
            throw new IOException(device + " is already " + who + " on this host");
        }
        return new Claim(file, ch, lock);
    }

    /** The registered daemon serving {@code mountpoint}, if its claim is still held. */
    static Optional<Holder> holderOf(Path mountpoint) {
        Path dir = runDir().resolve("devices");
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                try {
                    Holder h = Holder.parse(Files.readString(f, StandardCharsets.UTF_8));
                    if (h.mountpoint().equals(mountpoint.toString())
                            && ProcessHandle.of(h.pid()).map(ProcessHandle::isAlive).orElse(false)) {
                        return Optional.of(h);
                    }
                } catch (IOException e) {
                    // unreadable or vanished meanwhile: not ours
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
