package org.gfs2j.journal.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.gfs2j.journal.device.BlockDevice;

/** Write-back straight to the device, for users without a buffer cache (tests, tools, replay). */
public final class DeviceWriteBack implements WriteBackTarget {
    private final BlockDevice device;
    private final int bsize;

    public DeviceWriteBack(BlockDevice device, int bsize) {
        this.device = device;
        this.bsize = bsize;
    }

    @Override
    public void writeBack(long block, ByteBuffer image) throws IOException {
        device.writeBlock(block, bsize, JournalIo.forDevice(device, image.duplicate().position(0)));
    }

    @Override
    public void sync() throws IOException {
        device.flush();
    }
}
