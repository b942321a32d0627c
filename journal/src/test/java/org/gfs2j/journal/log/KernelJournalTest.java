package org.gfs2j.journal.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.gfs2j.journal.device.BlockDevice;
import org.gfs2j.journal.device.BlockDevices;
import org.gfs2j.journal.format.LogDescriptor;
import org.gfs2j.journal.format.LogHeader;
import org.gfs2j.journal.format.MetaHeader;
import org.gfs2j.journal.format.MetaType;
import org.gfs2j.journal.testing.Gfs2Image;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Journals written by the Linux kernel (spec images): our codecs accept every kernel log header
 * (v2 checksums) and descriptor, the head search finds the kernel's UNMOUNT head, and a kernel log
 * made dirty again (the headers of its last flushes erased, as if it had crashed after an earlier
 * flush) is replayed by us to the same bytes as by fsck.gfs2, which then calls the image clean.
 */
class KernelJournalTest {
    /** The kernel images are kept in the repository with fs-core's test resources. */
    private static final Path IMAGES = Path.of(System.getProperty("gfs2j.images", "../fs-core/src/test/resources/images"));

    @TempDir
    Path dir;

    private Path unpack(String name) throws IOException {
        Path gz = IMAGES.resolve(name);
        assertTrue(Files.isReadable(gz), gz + " is missing from the repository");
        Path img = dir.resolve(name.replace(".gz", ""));
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz), 1 << 16)) {
            sparseCopy(in, img);
        }
        return img;
    }

    /** Copies a stream into a file, leaving holes where it holds only zeros (the images are mostly empty). */
    static void sparseCopy(InputStream in, Path to) throws IOException {
        byte[] chunk = new byte[1 << 16];
        byte[] zero = new byte[chunk.length];
        try (java.nio.channels.FileChannel out = java.nio.channels.FileChannel.open(to,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE,
                java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
            long pos = 0;
            int n;
            while ((n = in.readNBytes(chunk, 0, chunk.length)) > 0) {
                if (!java.util.Arrays.equals(chunk, 0, n, zero, 0, n)) {
                    out.write(ByteBuffer.wrap(chunk, 0, n), pos);
                }
                pos += n;
            }
            if (out.size() < pos) {
                out.write(ByteBuffer.wrap(new byte[1]), pos - 1);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"kernel-4k.img.gz", "kernel-1k.img.gz"})
    void readsAndReplaysKernelWrittenLogs(String name) throws Exception {
        replayKernelLog(name, false);
    }

    /**
     * The kernel header whose live log is longest (hundreds of blocks, many descriptors and
     * revokes): replaying it brings back older block versions than the ones in place, so the
     * result is not a consistent file system; only the replays themselves are compared.
     */
    @ParameterizedTest
    @ValueSource(strings = {"kernel-4k.img.gz", "kernel-1k.img.gz"})
    void longKernelLogsReplayLikeFsck(String name) throws Exception {
        replayKernelLog(name, true);
    }

    private void replayKernelLog(String name, boolean longest) throws Exception {
        assumeTrue(Gfs2Image.toolsAvailable(), "gfs2-utils not installed");
        Path image = unpack(name);
        Gfs2Image img = Gfs2Image.open(image);
        List<LogHeader> headers = new ArrayList<>();
        int descriptors = 0;
        try (BlockDevice dev = BlockDevices.open(image, true, 0)) {
            JournalIo io = new JournalIo(dev, img.journal0, img.bsize);
            for (long i = 0; i < io.size(); i++) {
                ByteBuffer b = io.readBlock(i);
                MetaType t = MetaHeader.typeOf(b, 0);
                if (t == MetaType.LH) {
                    headers.add(LogHeader.decode(b, io.deviceBlock(i)));
                } else if (t == MetaType.LD) {
                    LogDescriptor.decode(b, io.deviceBlock(i), io.size());
                    descriptors++;
                }
            }
            JournalHead head = HeadSearch.find(io);
            LogHeader newest = headers.stream().max(Comparator.comparingLong(LogHeader::sequence)).orElseThrow();
            assertEquals(newest.blkno(), head.index());
            assertTrue(head.isClean(), "the kernel unmounted cleanly");
            assertTrue(headers.stream().anyMatch(LogHeader::isV2), "kernel headers carry lh_crc");
            assertTrue(descriptors > 0, "the kernel's log holds descriptors");
        }

        // "crash" the kernel after its newest flush that left something to replay
        headers.sort(Comparator.comparingLong(LogHeader::sequence).reversed());
        LogHeader crashAfter = null;
        long newestIndex = headers.get(0).blkno();
        for (LogHeader h : headers) {
            long region = Math.floorMod(h.blkno() - h.tail(), img.journal0.size());
            // later flushes wrote the blocks after h up to the newest head; h's live log is
            // intact only if they did not wrap around into it
            long writtenAfter = Math.floorMod(newestIndex - h.blkno(), img.journal0.size());
            if (!h.isUnmount() && region > 0 && region + writtenAfter < img.journal0.size()) {
                if (!longest) {
                    crashAfter = h;
                    break;
                }
                if (crashAfter == null || region > Math.floorMod(crashAfter.blkno() - crashAfter.tail(), img.journal0.size())) {
                    crashAfter = h;
                }
            }
        }
        assertNotNull(crashAfter, "no dirty kernel flush in " + headers);
        try (BlockDevice dev = BlockDevices.open(image, false, 0)) {
            JournalIo io = new JournalIo(dev, img.journal0, img.bsize);
            for (LogHeader h : headers) {
                if (h.sequence() > crashAfter.sequence()) {
                    io.writeBlock(h.blkno(), ByteBuffer.allocate(img.bsize));
                }
            }
            JournalHead head = HeadSearch.find(io);
            assertEquals(crashAfter.blkno(), head.index());
            assertFalse(head.isClean());
        }
        Path byFsck = dir.resolve("fsck.img");
        try (InputStream in = Files.newInputStream(image)) {
            sparseCopy(in, byFsck);
        }
        Gfs2Image.Result r = Gfs2Image.fsck(byFsck, "-y");
        System.out.println(name + (longest ? " (longest log)" : "") + ": fsck.gfs2 -y said:\n" + r.output());
        assertTrue(r.exit() <= 1, r.output());
        assertTrue(r.output().contains("eplayed"), r.output());
        RecoveryResult ours;
        try (BlockDevice dev = BlockDevices.open(image, false, 0)) {
            ours = JournalRecovery.recover(new JournalIo(dev, img.journal0, img.bsize), 0, Clock.systemUTC());
        }
        assertTrue(ours.replayed() > 0);
        Gfs2Image.Result clean = Gfs2Image.fsck(image, "-n");
        assertEquals(0, clean.exit(), clean.output());
        assertFalse(clean.output().contains("dirty"), clean.output());
        long cleanHeaderBlock = img.journal0.deviceBlock((ours.head().index() + 1) % img.journal0.size());
        System.out.println(name + ": replayed " + ours.replayed() + " blocks from journal blocks ["
                + ours.head().header().tail() + ", " + ours.head().index() + ")");
        assertEquals(0, differingBlocks(byFsck, image, img.bsize, cleanHeaderBlock),
                "blocks differing between fsck's replay and ours; fsck said:\n" + r.output());
    }

    /** Blocks that differ between two images, ignoring one block. */
    static int differingBlocks(Path a, Path b, int bsize, long ignore) throws IOException {
        int chunk = 1 << 20;
        int differing = 0;
        try (BlockDevice da = BlockDevices.open(a, true, 0); BlockDevice db = BlockDevices.open(b, true, 0)) {
            for (long off = 0; off < da.size(); off += chunk) {
                int n = (int) Math.min(chunk, da.size() - off);
                ByteBuffer x = ByteBuffer.allocate(n);
                ByteBuffer y = ByteBuffer.allocate(n);
                da.read(off, x);
                db.read(off, y);
                if (java.util.Arrays.equals(x.array(), y.array())) {
                    continue;
                }
                for (int i = 0; i < n; i += bsize) {
                    long blk = (off + i) / bsize;
                    if (blk != ignore && !java.util.Arrays.equals(x.array(), i, i + bsize, y.array(), i, i + bsize)) {
                        differing++;
                    }
                }
            }
        }
        return differing;
    }
}
