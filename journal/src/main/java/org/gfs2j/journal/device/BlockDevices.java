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
            device = isBlockDevice(path) ? new DirectBlockDevice(path, readOnly) : new FileBlockDevice(path, readOnly);
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

    /**
     * Refuses a file-system block size the device cannot transfer: below its logical sector size,
     * or below the alignment its O_DIRECT transfers need.
     */
    public static void requireBlockSize(BlockDevice device, int bsize) throws DeviceException {
        if (device instanceof DirectBlockDevice direct && bsize < direct.logicalSectorSize()) {
            throw new DeviceException(String.format("%s: block size %d is smaller than the device's logical sector size %d",
                    device.path(), bsize, direct.logicalSectorSize()));
        }
        if (bsize < device.alignment() || bsize % device.alignment() != 0) {
            throw new DeviceException(String.format("%s: block size %d is not a multiple of the %d-byte alignment"
                    + " direct I/O on this device needs", device.path(), bsize, device.alignment()));
        }
    }

    public static boolean isBlockDevice(Path path) throws IOException {
        int mode = (Integer) Files.getAttribute(path.toRealPath(), "unix:mode");
        return (mode & 0170000) == 0060000;
    }
}
