package org.gfs2j.journal.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockDevicesTest {
    @TempDir
    Path dir;

    private Path image(long size) throws IOException {
        Path p = dir.resolve("img");
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(size);
        }
        return p;
    }

    @Test
    void imageFileReadWriteRoundTrip() throws IOException {
        Path p = image(1 << 20);
        try (BlockDevice dev = BlockDevices.open(p, false, 0)) {
            assertInstanceOf(FileBlockDevice.class, dev);
            assertEquals(1 << 20, dev.size());
            ByteBuffer b = dev.allocate(4096);
            for (int i = 0; i < 4096; i++) {
                b.put(i, (byte) i);
            }
            dev.writeBlock(3, 4096, b);
            dev.flush();
            ByteBuffer r = dev.readBlock(3, 4096);
            assertEquals(b, r);
        }
    }

    @Test
    void nonexistentPathIsRefused() {
        DeviceException e = assertThrows(DeviceException.class,
                () -> BlockDevices.open(dir.resolve("missing"), true, 0));
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
    }

    @Test
    void tooSmallIsRefusedWithSizes() throws IOException {
        Path p = image(4096);
        DeviceException e = assertThrows(DeviceException.class, () -> BlockDevices.open(p, true, 1 << 20));
        assertTrue(e.getMessage().contains("too small") && e.getMessage().contains("4096"), e.getMessage());
    }

    @Test
    void readOnlyFileRefusedForWriting() throws IOException {
        Path p = image(8192);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("r--r--r--"));
        // root bypasses permission bits; only meaningful for ordinary users.
        assumeTrue(!Files.isWritable(p), "running as root: write permission is not enforced");
        DeviceException e = assertThrows(DeviceException.class, () -> BlockDevices.open(p, false, 0));
        assertTrue(e.getMessage().contains("permission"), e.getMessage());
    }

    @Test
    void writeToReadOnlyDeviceIsRefused() throws IOException {
        Path p = image(8192);
        try (BlockDevice dev = BlockDevices.open(p, true, 0)) {
            assertThrows(DeviceException.class, () -> dev.write(0, ByteBuffer.allocate(512)));
        }
    }

    @Test
    void writePastEndIsRefused() throws IOException {
        Path p = image(8192);
        try (BlockDevice dev = BlockDevices.open(p, false, 0)) {
            DeviceException e = assertThrows(DeviceException.class, () -> dev.write(8000, ByteBuffer.allocate(512)));
            assertTrue(e.getMessage().contains("past the end"), e.getMessage());
        }
    }

    @Test
    void directoryIsRefused() {
        DeviceException e = assertThrows(DeviceException.class, () -> BlockDevices.open(dir, true, 0));
        assertTrue(e.getMessage().contains("directory"), e.getMessage());
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    private static boolean canMakeLoopDevices() {
        try {
            return "0".equals(run("id", "-u")) && Files.exists(Path.of("/dev/loop-control"));
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void loopDeviceUsesODirectAndRoundTrips(boolean jdkFallback) throws Exception {
        assumeTrue(canMakeLoopDevices(), "needs root and /dev/loop-control to create a loop device");
        Path img = image(16 << 20);
        String loop = run("losetup", "-f", "--show", img.toString());
        String before = System.getProperty("gfs2j.jdkDirectIo");
        long heapOffset;
        try {
            System.setProperty("gfs2j.jdkDirectIo", Boolean.toString(jdkFallback));
            try (BlockDevice dev = BlockDevices.open(Path.of(loop), false, 1 << 20)) {
                DirectBlockDevice direct = assertInstanceOf(DirectBlockDevice.class, dev);
                assertEquals(!jdkFallback, direct.isNative());
                if (!jdkFallback) {
                    assertEquals(512, dev.alignment(), "native O_DIRECT needs only the logical sector size");
                    BlockDevices.requireBlockSize(dev, 512);
                    ByteBuffer sector = dev.allocate(512);
                    sector.put(0, (byte) 0x77);
                    dev.write(512L * 3, sector);
                    ByteBuffer back = dev.allocate(512);
                    dev.read(512L * 3, back);
                    assertEquals(0x77, back.get(0));
                }
                assertEquals(16 << 20, dev.size());
                assertEquals(512, direct.logicalSectorSize());
                assertEquals(0, dev.alignment() % 512);
                int n = 3 * dev.alignment();
                ByteBuffer w = dev.allocate(n);
                assertTrue(w.isDirect());
                assertEquals(0, w.alignmentOffset(0, dev.alignment()));
                for (int i = 0; i < n; i++) {
                    w.put(i, (byte) (i * 7));
                }
                dev.write(2L * dev.alignment(), w.duplicate());
                // A heap buffer goes through the aligned bounce buffer.
                ByteBuffer heap = ByteBuffer.allocate(dev.alignment());
                heap.put(0, (byte) 0x5a);
                heapOffset = 10L * dev.alignment();
                dev.write(heapOffset, heap);
                dev.flush();
                ByteBuffer r = ByteBuffer.allocate(n);
                dev.read(2L * dev.alignment(), r);
                assertEquals(w.position(0).limit(n), r.flip());
                // Unaligned read: served through the covering aligned range.
                ByteBuffer part = ByteBuffer.allocate(100);
                dev.read(2L * dev.alignment() + 13, part);
                for (int i = 0; i < 100; i++) {
                    assertEquals((byte) ((13 + i) * 7), part.get(i));
                }
                // Unaligned write refused rather than read-modify-written.
                assertThrows(DeviceException.class, () -> dev.write(512 + 1, ByteBuffer.allocate(512)));
                assertThrows(DeviceException.class, () -> dev.write(0, ByteBuffer.allocate(100)));
                assertThrows(DeviceException.class, () -> BlockDevices.requireBlockSize(dev, 256));
                BlockDevices.requireBlockSize(dev, 4096);
            }
            // The data reached the device: read it back through the image file.
            byte[] back = new byte[16];
            try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "r")) {
                f.seek(heapOffset);
                f.readFully(back);
            }
            assertEquals(0x5a, back[0]);
            assertArrayEquals(new byte[15], java.util.Arrays.copyOfRange(back, 1, 16));
            DeviceException small = assertThrows(DeviceException.class,
                    () -> BlockDevices.open(Path.of(loop), true, 32 << 20));
            assertTrue(small.getMessage().contains("too small"), small.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty("gfs2j.jdkDirectIo");
            } else {
                System.setProperty("gfs2j.jdkDirectIo", before);
            }
            run("losetup", "-d", loop);
        }
    }

    @Test
    void imageFileAcceptsAnyBlockSize() throws IOException {
        Path p = image(8192);
        try (BlockDevice dev = BlockDevices.open(p, true, 0)) {
            BlockDevices.requireBlockSize(dev, 512);
        }
    }
}
