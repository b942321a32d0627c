package org.gfs2j.journal.device;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens the right {@link BlockDevice} for a path, with errors that say what is wrong. */
public final class BlockDevices {
    private BlockDevices() {
    }

    /**
     * Opens an image file or block device.
     *
     * @param minimumSize the smallest size in bytes the caller can use (0 for no check)
     */
    public static BlockDevice open(Path path, boolean readOnly, long minimumSize) throws IOException {
        if (!Files.exists(path)) {
            throw new DeviceException(path + ": no such file or device");
        }
        if (Files.isDirectory(path)) {
            throw new DeviceException(path + " is a directory, not an image file or block device");
        }
        if (!Files.isReadable(path)) {
            throw new DeviceException(path + ": permission denied (cannot read)");
        }
        if (!readOnly && !Files.isWritable(path)) {
            throw new DeviceException(path + ": permission denied (no write permission)");
        }
        BlockDevice device;
        try {
            device = isBlockDevice(path) ? new FileBlockDevice(path, readOnly) : new FileBlockDevice(path, readOnly);
        } catch (AccessDeniedException e) {
            throw new DeviceException(path + ": permission denied", e);
        }
        if (minimumSize > 0 && device.size() < minimumSize) {
            long size = device.size();
            device.close();
            throw new DeviceException(String.format("%s is too small: %d bytes, at least %d bytes (%d MiB) needed",
                    path, size, minimumSize, (minimumSize + (1 << 20) - 1) >> 20));
        }
        return device;
    }

    static boolean isBlockDevice(Path path) throws IOException {
        int mode = (Integer) Files.getAttribute(path.toRealPath(), "unix:mode");
        return (mode & 0170000) == 0060000;
    }
}
