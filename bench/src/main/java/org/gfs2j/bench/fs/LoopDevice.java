package org.gfs2j.bench.fs;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.gfs2j.fuse.session.MountInfo;

/** A loop device over an image file, attached with losetup. */
public final class LoopDevice {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Path device;
    private final boolean directIo;

    private LoopDevice(Path device, boolean directIo) {
        this.device = device;
        this.directIo = directIo;
    }

    /**
     * Attaches the image to a free loop device. Direct I/O on the backing file is asked for, so
     * that ext4's page cache is the only cache (as on a real disk); where the backing file system
     * refuses it, the device is attached without.
     */
    public static LoopDevice attach(Path image) throws IOException {
        String img = image.toAbsolutePath().toString();
        Commands.Result r = Commands.run(TIMEOUT, "losetup", "--find", "--show", "--direct-io=on", img);
        if (r.ok() && !r.stdout().isBlank()) {
            LoopDevice dev = new LoopDevice(Path.of(r.stdout().strip()), true);
            if (!r.stderr().isBlank()) { // attached, but direct I/O refused
                return new LoopDevice(dev.device, false);
            }
            return dev;
        }
        r = Commands.run(TIMEOUT, "losetup", "--find", "--show", img).check();
        return new LoopDevice(Path.of(r.stdout().strip()), false);
    }

    public Path device() {
        return device;
    }

    public boolean directIo() {
        return directIo;
    }

    public void detach() throws IOException {
        detach(device);
    }

    static void detach(Path device) throws IOException {
        Commands.Result r = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            r = Commands.run(TIMEOUT, "losetup", "--detach", device.toString());
            if (r.ok()) {
                return;
            }
            try {
                Thread.sleep(200L * (attempt + 1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        r.check();
    }

    /** Loop devices whose backing file lies under {@code dir} (left behind by a killed run). */
    public static List<Path> backedBy(Path dir) throws IOException {
        Path d = dir.toAbsolutePath().normalize();
        Commands.Result r = Commands.run(TIMEOUT, "losetup", "--list", "--noheadings", "--raw",
                "--output", "NAME,BACK-FILE");
        List<Path> out = new ArrayList<>();
        if (!r.ok()) {
            return out;
        }
        for (String line : r.stdout().split("\n")) {
            String[] f = line.strip().split(" ", 2);
            if (f.length == 2) {
                String back = MountInfo.unescape(f[1].replace(" (deleted)", "").strip());
                if (!back.isEmpty() && Path.of(back).toAbsolutePath().normalize().startsWith(d)) {
                    out.add(Path.of(f[0]));
                }
            }
        }
        return out;
    }
}
