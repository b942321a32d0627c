package org.gfs2j.fs.mount;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.gfs2j.fs.alloc.TestMount;
import org.gfs2j.fs.meta.FileReader;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.testing.Gfs2Tools;
import org.gfs2j.journal.device.BlockDevice;
import org.gfs2j.journal.device.BlockDevices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read path of the read-write mount: {@link FileReader#read} (contiguous runs straight from the
 * device, holes as zeros) returns what was written, agrees with the block-by-block
 * {@link FileReader#copyTo}, and {@link ReadWriteGfs2Vfs#read} runs reads side by side while never
 * seeing a write half done or an older version than the last completed write.
 */
class FileContentReadTest {
    private static final int O_RDWR = 2;

    @TempDir
    Path dir;

    @Test
    void readsOfSparseFilesMatchWhatWasWrittenAtAnyOffsetAndLength() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "img", 96, 32, 4096);
        Random rnd = new Random(42);
        int size = 3 * 1024 * 1024 + 1234;
        byte[] model = new byte[size];
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            long ino = vfs.mknod(vfs.rootIno(), "f".getBytes(), Dinode.S_IFREG | 0644, 0, 0, 0).ino();
            long h = vfs.open(ino, O_RDWR);
            // stuffed first: a small file read from the dinode
            write(vfs, h, 0, bytes(rnd, 100), model);
            assertRead(vfs, h, model, 100, 0, 4096, rnd);
            // then extents with holes between them (height > 1), and a tail past a hole
            for (int i = 0; i < 12; i++) {
                int off = rnd.nextInt(size - 70_000);
                write(vfs, h, off, bytes(rnd, 1 + rnd.nextInt(70_000)), model);
            }
            write(vfs, h, size - 10, bytes(rnd, 10), model);
            for (int i = 0; i < 200; i++) {
                assertRead(vfs, h, model, size, rnd.nextInt(size + 100), rnd.nextInt(1 << 20) + 1, rnd);
            }
            assertRead(vfs, h, model, size, 0, size, rnd); // one read over every extent and hole
            // copyTo (block by block through the cache) and read (runs from the device) agree
            FileReader r = vfs.fileSystem().reader.file(vfs.fileSystem().reader.inode(ino));
            ByteArrayOutputStream viaCache = new ByteArrayOutputStream();
            r.copyTo(viaCache);
            assertArrayEquals(model, viaCache.toByteArray());
            // truncation: the dropped tail reads as zeros when the file grows again
            vfs.setattr(ino, null, null, null, 1_000_000L, null, null);
            vfs.setattr(ino, null, null, null, 2_000_000L, null, null);
            byte[] grown = Arrays.copyOf(model, 2_000_000);
            Arrays.fill(grown, 1_000_000, grown.length, (byte) 0);
            assertRead(vfs, h, grown, grown.length, 999_000, 10_000, rnd);
            assertRead(vfs, h, grown, grown.length, 0, grown.length, rnd);
            vfs.release(h);
        }
        Gfs2Tools.assertFsckClean(img);
    }

    @Test
    void readsRunSideBySideOnTheDevice() throws Exception {
        Path img = TestMount.mkfs(dir, "img", 96, 32, 4096);
        CyclicBarrier bothInside = new CyclicBarrier(2);
        AtomicBoolean armed = new AtomicBoolean();
        try (BlockDevice raw = BlockDevices.open(img, false, 0);
             Gfs2FileSystem fs = Gfs2FileSystem.mount(new RendezvousDevice(raw, armed, bothInside), MountConfig.of(0));
             ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.over(fs)) {
            long ino = vfs.mknod(vfs.rootIno(), "f".getBytes(), Dinode.S_IFREG | 0644, 0, 0, 0).ino();
            long h = vfs.open(ino, O_RDWR);
            vfs.write(h, 0, ByteBuffer.wrap(new byte[256 * 1024]));
            vfs.read(h, 0, 4096, ByteBuffer.allocate(4096)); // tree in the cache: only data reads reach the device
            armed.set(true);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<Integer>> reads = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    int off = i * 128 * 1024;
                    reads.add(pool.submit(() -> vfs.read(h, off, 65536, ByteBuffer.allocateDirect(65536))));
                }
                for (Future<Integer> f : reads) {
                    // a read serialized behind the other would leave the first alone at the barrier
                    assertEquals(65536, f.get(30, TimeUnit.SECONDS));
                }
            } finally {
                armed.set(false);
                pool.shutdownNow();
            }
            vfs.release(h);
        }
    }

    @Test
    void concurrentReadsNeverSeeATornOrStaleWrite() throws Exception {
        Path img = TestMount.mkfs(dir, "img", 96, 32, 4096);
        int region = 512 * 1024; // several FileData transactions per write
        int versions = 40;
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            long ino = vfs.mknod(vfs.rootIno(), "f".getBytes(), Dinode.S_IFREG | 0644, 0, 0, 0).ino();
            long h = vfs.open(ino, O_RDWR);
            vfs.write(h, 0, ByteBuffer.wrap(filled(region, 0)));
            AtomicLong completed = new AtomicLong();
            AtomicBoolean done = new AtomicBoolean();
            AtomicInteger checked = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(3);
            try {
                List<Future<?>> readers = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    readers.add(pool.submit(() -> {
                        ByteBuffer buf = ByteBuffer.allocateDirect(region);
                        while (!done.get()) {
                            long atLeast = completed.get();
                            buf.clear();
                            assertEquals(region, vfs.read(h, 0, region, buf));
                            byte first = buf.get(0);
                            for (int i = 1; i < region; i++) {
                                if (buf.get(i) != first) {
                                    throw new AssertionError("torn read: byte " + i + " is " + buf.get(i)
                                            + ", byte 0 is " + first);
                                }
                            }
                            assertTrue(first >= atLeast, "read version " + first + " after " + atLeast
                                    + " had completed");
                            checked.incrementAndGet();
                        }
                        return null;
                    }));
                }
                for (int v = 1; v <= versions; v++) {
                    vfs.write(h, 0, ByteBuffer.wrap(filled(region, v)));
                    completed.set(v);
                }
                done.set(true);
                for (Future<?> f : readers) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                done.set(true);
                pool.shutdownNow();
            }
            assertTrue(checked.get() > 0, "the readers read nothing");
            vfs.release(h);
        }
    }

    private static byte[] filled(int n, int v) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) v);
        return b;
    }

    private static byte[] bytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    private static void write(ReadWriteGfs2Vfs vfs, long h, int off, byte[] data, byte[] model) throws Exception {
        assertEquals(data.length, vfs.write(h, off, ByteBuffer.wrap(data)));
        System.arraycopy(data, 0, model, off, data.length);
    }

    /** Reads [off, off+len) into a heap or direct buffer at a non-zero position and checks it against the model. */
    private static void assertRead(ReadWriteGfs2Vfs vfs, long h, byte[] model, int size, int off, int len, Random rnd)
            throws Exception {
        int pad = rnd.nextInt(3);
        ByteBuffer dst = rnd.nextBoolean() ? ByteBuffer.allocate(len + pad) : ByteBuffer.allocateDirect(len + pad);
        dst.position(pad);
        int n = vfs.read(h, off, len, dst);
        int expected = Math.max(0, Math.min(len, size - off));
        assertEquals(expected, n, "bytes read at " + off + " length " + len);
        assertEquals(pad + n, dst.position());
        byte[] got = new byte[n];
        dst.get(pad, got);
        assertArrayEquals(Arrays.copyOfRange(model, Math.min(off, size), Math.min(off, size) + n), got,
                "content at " + off + " length " + len);
    }

    /** A device whose reads, once armed, wait until two are inside at the same time. */
    private static final class RendezvousDevice implements BlockDevice {
        private final BlockDevice d;
        private final AtomicBoolean armed;
        private final CyclicBarrier barrier;

        RendezvousDevice(BlockDevice d, AtomicBoolean armed, CyclicBarrier barrier) {
            this.d = d;
            this.armed = armed;
            this.barrier = barrier;
        }

        @Override
        public Path path() {
            return d.path();
        }

        @Override
        public long size() {
            return d.size();
        }

        @Override
        public int alignment() {
            return d.alignment();
        }

        @Override
        public boolean isReadOnly() {
            return d.isReadOnly();
        }

        @Override
        public void read(long offset, ByteBuffer dst) throws IOException {
            if (armed.get()) {
                try {
                    barrier.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
                    throw new IOException("the other read never reached the device at the same time: " + e);
                }
            }
            d.read(offset, dst);
        }

        @Override
        public void write(long offset, ByteBuffer src) throws IOException {
            d.write(offset, src);
        }

        @Override
        public void flush() throws IOException {
            d.flush();
        }

        @Override
        public ByteBuffer allocate(int bytes) {
            return d.allocate(bytes);
        }

        @Override
        public void close() {
            // the test closes the real device
        }
    }
}
