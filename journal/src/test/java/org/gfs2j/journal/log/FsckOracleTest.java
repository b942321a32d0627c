package org.gfs2j.journal.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import org.gfs2j.journal.device.BlockDevice;
import org.gfs2j.journal.device.BlockDevices;
import org.gfs2j.journal.format.LogHeader;
import org.gfs2j.journal.format.MetaHeader;
import org.gfs2j.journal.testing.Gfs2Image;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Format proof with fsck.gfs2 as the oracle: transactions committed to journal0 of a mkfs image,
 * then a simulated crash before write-back. fsck.gfs2 -y must replay our journal into a file
 * system it then calls clean, with the committed changes in place; and our replay of the same
 * journal must produce the same bytes as fsck's.
 */
class FsckOracleTest {
    private static final int ROOT_MODE = 040700;

    @TempDir
    Path dir;

    @BeforeAll
    static void tools() {
        assumeTrue(Gfs2Image.toolsAvailable(), "gfs2-utils not installed");
    }

    /** What the crashed image should look like after replay. */
    private record Committed(long root, ByteBuffer rootImage, long master, ByteBuffer masterImage,
                             long jdataBlock, ByteBuffer jdata, long revokedBlock, ByteBuffer revokedOriginal) {
    }

    @Test
    void fsckReplaysOurJournalAndOurReplayMatchesFsck() throws Exception {
        Path image = dir.resolve("crashed.img");
        Gfs2Image img = Gfs2Image.create(image, 64);
        Committed c = commitAndCrash(img);

        Gfs2Image.Result dirty = Gfs2Image.fsck(image, "-n");
        assertTrue(dirty.output().contains("dirty"), "fsck -n should see a dirty journal:\n" + dirty.output());

        Path byFsck = dir.resolve("fsck.img");
        Path byUs = dir.resolve("ours.img");
        Files.copy(image, byFsck, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(image, byUs, StandardCopyOption.REPLACE_EXISTING);

        Gfs2Image.Result replay = Gfs2Image.fsck(byFsck, "-y");
        System.out.println("fsck.gfs2 -y:\n" + replay.output());
        assertTrue(replay.exit() == 0 || replay.exit() == 1, "fsck -y exit " + replay.exit() + ":\n" + replay.output());
        assertTrue(replay.output().contains("eplayed"), "fsck -y should report a replay:\n" + replay.output());
        assertClean(byFsck);
        checkCommitted(byFsck, img.bsize, c);

        RecoveryResult ours;
        try (BlockDevice dev = BlockDevices.open(byUs, false, 0)) {
            ours = JournalRecovery.recover(new JournalIo(dev, img.journal0, img.bsize), 0, Clock.systemUTC());
        }
        assertTrue(ours.wasDirty());
        assertEquals(1, ours.skippedRevoked());
        assertClean(byUs);
        checkCommitted(byUs, img.bsize, c);
        assertSameBytesExceptCleanHeader(byFsck, byUs, img, ours);
    }

    @Test
    void aLogThatWrappedIsReplayedIdenticallyByFsckAndUs() throws Exception {
        Path image = dir.resolve("wrapped.img");
        Gfs2Image img = Gfs2Image.create(image, 64);
        ByteBuffer root;
        long lastHead;
        try (BlockDevice dev = BlockDevices.open(image, false, 0)) {
            JournalIo io = new JournalIo(dev, img.journal0, img.bsize);
            JournalLog log = JournalLog.open(io, LogConfig.create().jinodeAddr(img.journal0Addr)
                    .policy(FlushPolicy.everyCommit()));
            root = dev.readBlock(img.rootAddr, img.bsize);
            ByteBuffer master = dev.readBlock(img.masterAddr, img.bsize);
            long start = log.state().lastHeader();
            int i = 0;
            // go round the 2048-block journal more than once
            while (i < 1200) {
                i++;
                root.putLong(Gfs2Image.DI_MTIME, 1_600_000_000L + i);
                master.putLong(Gfs2Image.DI_MTIME, 1_600_000_000L + i);
                try (Transaction tx = log.begin(2, 0)) {
                    tx.addMetadata(img.rootAddr, root).addMetadata(img.masterAddr, master);
                    tx.commit();
                }
            }
            // re-logging the same blocks supersedes older copies, so the tail follows the head
            // without write-back; the head itself went round the ring twice
            assertTrue(log.metrics().counter("gfs2j.journal.log_blocks").getCount() > 2 * img.journal0.size());
            lastHead = log.state().lastHeader();
            assertTrue(lastHead != start);
            log.abandon();
        }
        Path byFsck = dir.resolve("wrapped-fsck.img");
        Files.copy(image, byFsck, StandardCopyOption.REPLACE_EXISTING);
        Gfs2Image.Result replay = Gfs2Image.fsck(byFsck, "-y");
        assertTrue(replay.output().contains("eplayed"), replay.output());
        assertClean(byFsck);
        RecoveryResult ours;
        try (BlockDevice dev = BlockDevices.open(image, false, 0)) {
            ours = JournalRecovery.recover(new JournalIo(dev, img.journal0, img.bsize), 0, Clock.systemUTC());
            assertEquals(lastHead, ours.head().index());
            assertEquals(1_600_000_000L + 1200, dev.readBlock(img.rootAddr, img.bsize).getLong(Gfs2Image.DI_MTIME));
        }
        assertClean(image);
        assertSameBytesExceptCleanHeader(byFsck, image, img, ours);
    }

    @Test
    void aCleanUnmountLeavesACleanImage() throws Exception {
        Path image = dir.resolve("unmounted.img");
        Gfs2Image img = Gfs2Image.create(image, 64);
        try (BlockDevice dev = BlockDevices.open(image, false, 0)) {
            JournalIo io = new JournalIo(dev, img.journal0, img.bsize);
            JournalLog log = JournalLog.open(io, LogConfig.create().jinodeAddr(img.journal0Addr));
            ByteBuffer root = dev.readBlock(img.rootAddr, img.bsize);
            root.putInt(Gfs2Image.DI_MODE, ROOT_MODE);
            try (Transaction tx = log.begin(1, 0)) {
                tx.addMetadata(img.rootAddr, root);
                tx.commit();
            }
            log.close();
            assertTrue(HeadSearch.find(io).isClean());
        }
        assertClean(image);
        try (BlockDevice dev = BlockDevices.open(image, true, 0)) {
            assertEquals(ROOT_MODE, dev.readBlock(img.rootAddr, img.bsize).getInt(Gfs2Image.DI_MODE));
        }
    }

    @Test
    void aFlushWhoseHeaderNeverReachedTheDiskIsReplayedByNeither() throws Exception {
        Path image = dir.resolve("torn.img");
        Gfs2Image img = Gfs2Image.create(image, 64);
        ByteBuffer committed;
        try (BlockDevice file = BlockDevices.open(image, false, 0)) {
            HeaderDroppingDevice dev = new HeaderDroppingDevice(file);
            JournalIo io = new JournalIo(dev, img.journal0, img.bsize);
            JournalLog log = JournalLog.open(io, LogConfig.create().jinodeAddr(img.journal0Addr)
                    .policy(new FlushPolicy("manual", 1 << 20, java.time.Duration.ofDays(1), 100)));
            ByteBuffer root = file.readBlock(img.rootAddr, img.bsize);
            root.putLong(Gfs2Image.DI_MTIME, 1_600_000_001L);
            try (Transaction tx = log.begin(1, 0)) {
                tx.addMetadata(img.rootAddr, root);
                tx.commit();
            }
            log.fsync();
            committed = file.readBlock(img.rootAddr, img.bsize);
            committed.put(root.duplicate().position(0)).flip();
            // the next flush: its body reaches the disk, its commit header does not
            root.putInt(Gfs2Image.DI_MODE, ROOT_MODE).putLong(Gfs2Image.DI_MTIME, 1_600_000_002L);
            ByteBuffer master = file.readBlock(img.masterAddr, img.bsize);
            master.putLong(Gfs2Image.DI_MTIME, 1_600_000_002L);
            try (Transaction tx = log.begin(2, 0)) {
                tx.addMetadata(img.rootAddr, root).addMetadata(img.masterAddr, master);
                tx.commit();
            }
            dev.dropHeaders = true;
            org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, log::fsync);
            assertTrue(dev.bodyBlocksWritten > 0, "the body was written");
            log.abandon();
        }
        Path byFsck = dir.resolve("torn-fsck.img");
        Files.copy(image, byFsck, StandardCopyOption.REPLACE_EXISTING);
        Gfs2Image.Result replay = Gfs2Image.fsck(byFsck, "-y");
        assertTrue(replay.output().contains("Replayed 1 of 1 metadata blocks"), replay.output());
        assertClean(byFsck);
        RecoveryResult ours;
        try (BlockDevice dev = BlockDevices.open(image, false, 0)) {
            ours = JournalRecovery.recover(new JournalIo(dev, img.journal0, img.bsize), 0, Clock.systemUTC());
            assertEquals(1, ours.replayed());
            assertArrayEquals(committed.array(), dev.readBlock(img.rootAddr, img.bsize).array(),
                    "the root dinode as the first (complete) flush left it");
        }
        assertClean(image);
        assertSameBytesExceptCleanHeader(byFsck, image, img, ours);
    }

    /** Passes writes through, except (when armed) log header blocks, whose write fails. */
    private static final class HeaderDroppingDevice implements BlockDevice {
        private final BlockDevice d;
        volatile boolean dropHeaders;
        volatile int bodyBlocksWritten;

        HeaderDroppingDevice(BlockDevice d) {
            this.d = d;
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
        public void read(long offset, ByteBuffer dst) throws java.io.IOException {
            d.read(offset, dst);
        }

        @Override
        public void write(long offset, ByteBuffer src) throws java.io.IOException {
            if (dropHeaders) {
                if (src.remaining() == 4096 && LogHeader.tryDecode(src.slice()) != null) {
                    throw new java.io.IOException("power lost before the commit header");
                }
                bodyBlocksWritten += src.remaining() / 4096;
            }
            d.write(offset, src);
        }

        @Override
        public void flush() throws java.io.IOException {
            d.flush();
        }

        @Override
        public ByteBuffer allocate(int bytes) {
            return d.allocate(bytes);
        }

        @Override
        public void close() {
        }
    }

    private Committed commitAndCrash(Gfs2Image img) throws Exception {
        try (BlockDevice dev = BlockDevices.open(img.path, false, 0)) {
            JournalIo io = new JournalIo(dev, img.journal0, img.bsize);
            JournalLog log = JournalLog.open(io, LogConfig.create().jinodeAddr(img.journal0Addr)
                    .policy(new FlushPolicy("manual", 1 << 20, java.time.Duration.ofDays(1), 100)));
            long blocks = dev.size() / img.bsize;
            long jdataBlock = blocks - 10;
            long revokedBlock = blocks - 11;
            ByteBuffer revokedOriginal = dev.readBlock(revokedBlock, img.bsize);

            ByteBuffer root = dev.readBlock(img.rootAddr, img.bsize);
            root.putInt(Gfs2Image.DI_MODE, ROOT_MODE);
            root.putLong(Gfs2Image.DI_MTIME, 1_600_000_000L);
            ByteBuffer jdata = ByteBuffer.allocate(img.bsize);
            jdata.putInt(0, MetaHeader.MAGIC).putLong(8, 0x5a5a5a5a5a5a5a5aL).putLong(img.bsize - 8, 7);
            ByteBuffer junk = ByteBuffer.allocate(img.bsize);
            junk.putLong(0, 0xdeadbeefL);
            try (Transaction tx = log.begin(3, 0)) {
                tx.addMetadata(img.rootAddr, root).addJournaledData(jdataBlock, jdata).addJournaledData(revokedBlock, junk);
                tx.commit();
            }
            log.fsync();

            root.putLong(Gfs2Image.DI_MTIME, 1_700_000_000L);
            root.putInt(Gfs2Image.DI_MTIME_NSEC, 123);
            ByteBuffer master = dev.readBlock(img.masterAddr, img.bsize);
            master.putLong(Gfs2Image.DI_MTIME, 1_650_000_000L);
            try (Transaction tx = log.begin(2, 1)) {
                tx.addMetadata(img.rootAddr, root).addMetadata(img.masterAddr, master).addRevoke(revokedBlock);
                tx.commit();
            }
            log.fsync();
            log.abandon();
            return new Committed(img.rootAddr, root, img.masterAddr, master, jdataBlock, jdata, revokedBlock, revokedOriginal);
        }
    }

    private static void assertClean(Path image) throws Exception {
        Gfs2Image.Result r = Gfs2Image.fsck(image, "-n");
        assertEquals(0, r.exit(), "fsck -n:\n" + r.output());
        assertFalse(r.output().contains("dirty"), "journal still dirty:\n" + r.output());
        assertFalse(r.output().toLowerCase().contains("error"), "fsck -n reports errors:\n" + r.output());
    }

    private static void checkCommitted(Path image, int bsize, Committed c) throws Exception {
        try (BlockDevice dev = BlockDevices.open(image, true, 0)) {
            assertArrayEquals(c.rootImage().array(), dev.readBlock(c.root(), bsize).array(), "root dinode");
            assertEquals(ROOT_MODE, dev.readBlock(c.root(), bsize).getInt(Gfs2Image.DI_MODE));
            assertArrayEquals(c.masterImage().array(), dev.readBlock(c.master(), bsize).array(), "master dinode");
            assertArrayEquals(c.jdata().array(), dev.readBlock(c.jdataBlock(), bsize).array(), "escaped jdata block");
            assertArrayEquals(c.revokedOriginal().array(), dev.readBlock(c.revokedBlock(), bsize).array(),
                    "revoked block must not be replayed");
        }
    }

    /**
     * Every block identical, except the header each replay writes after the head: fsck 3.5.0
     * writes a v1 UNMOUNT header, we write a v2 UNMOUNT|RECOVERY header like the kernel; both
     * must be valid headers with the same sequence number at the same place.
     */
    private static void assertSameBytesExceptCleanHeader(Path a, Path b, Gfs2Image img, RecoveryResult ours)
            throws Exception {
        long headerIndex = (ours.head().index() + 1) % img.journal0.size();
        long headerBlock = img.journal0.deviceBlock(headerIndex);
        try (BlockDevice da = BlockDevices.open(a, true, 0); BlockDevice db = BlockDevices.open(b, true, 0)) {
            assertEquals(da.size(), db.size());
            long blocks = da.size() / img.bsize;
            int differing = 0;
            for (long blk = 0; blk < blocks; blk++) {
                ByteBuffer x = da.readBlock(blk, img.bsize);
                ByteBuffer y = db.readBlock(blk, img.bsize);
                if (blk == headerBlock) {
                    LogHeader hx = LogHeader.tryDecode(x);
                    LogHeader hy = LogHeader.tryDecode(y);
                    assertNotNull(hx, "fsck's clean header");
                    assertNotNull(hy, "our clean header");
                    assertTrue(hx.isUnmount() && hy.isUnmount());
                    assertEquals(hx.sequence(), hy.sequence());
                    assertEquals(hx.blkno(), hy.blkno());
                    continue;
                }
                if (!x.equals(y)) {
                    differing++;
                    if (differing < 5) {
                        System.err.println("block " + blk + " differs between fsck's and our replay");
                    }
                }
            }
            assertEquals(0, differing, "blocks differing between fsck's replay and ours");
        }
    }
}
