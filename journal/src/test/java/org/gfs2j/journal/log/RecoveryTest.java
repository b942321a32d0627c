package org.gfs2j.journal.log;

import static org.gfs2j.journal.testing.TestJournal.BSIZE;
import static org.gfs2j.journal.testing.TestJournal.HOME;
import static org.gfs2j.journal.testing.TestJournal.meta;
import static org.gfs2j.journal.testing.TestJournal.valueAt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.gfs2j.journal.device.BlockDevice;
import org.gfs2j.journal.device.BlockDevices;
import org.gfs2j.journal.device.DeviceException;
import org.gfs2j.journal.format.CorruptMetadataException;
import org.gfs2j.journal.format.LogHeader;
import org.gfs2j.journal.format.MetaHeader;
import org.gfs2j.journal.format.MetaType;
import org.gfs2j.journal.testing.MemoryDevice;
import org.gfs2j.journal.testing.TestJournal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecoveryTest {
    private static final int J = 32;
    private static final JournalExtents OTHER = new JournalExtents(List.of(
            new JournalExtents.Extent(0, 200, 20), new JournalExtents.Extent(20, 260, 12)));

    private static FlushPolicy manual() {
        return new FlushPolicy("manual", 1 << 20, Duration.ofDays(1), 100);
    }

    @Test
    void replaysAnotherNodesJournalGivenItsExtents() throws Exception {
        MemoryDevice dev = new MemoryDevice((long) TestJournal.DEVICE_BLOCKS * BSIZE);
        JournalIo own = TestJournal.format(dev, J, 0);
        JournalIo other = new JournalIo(dev, OTHER, BSIZE);
        JournalFormatter.format(other, 77, 9);
        byte[] ownBefore = own.readBlocks(0, J).array();

        // node 1 writes its journal and dies
        JournalLog node1 = JournalLog.open(other, LogConfig.create().jid(1).jinodeAddr(77).policy(manual())
                .localStatfs(() -> new long[] {0, -3, 2}));
        try (Transaction tx = node1.begin(2, 0)) {
            tx.addMetadata(HOME, meta(10)).addMetadata(HOME + 1, meta(11));
            tx.commit();
        }
        node1.fsync();
        node1.abandon();
        assertEquals(1, MetaHeader.jid(other.readBlock(HeadSearch.find(other).index())));

        // a survivor replays it through the recovery API
        RecoveryResult r = JournalRecovery.recover(dev, OTHER, BSIZE);
        assertTrue(r.wasDirty());
        assertEquals(2, r.replayed());
        assertEquals(10, valueAt(dev, HOME));
        assertEquals(11, valueAt(dev, HOME + 1));
        assertArrayEquals(new long[] {0, -3, 2}, r.localStatfs(), "the dead node's statfs deltas are reported");
        assertEquals(77, r.cleanHeader().jinode());
        assertTrue(HeadSearch.find(other).isClean());
        assertArrayEquals(ownBefore, own.readBlocks(0, J).array(), "the survivor's own journal is untouched");
    }

    @Test
    void openingADirtyJournalReplaysItFirstUnlessTold() throws Exception {
        MemoryDevice dev = new MemoryDevice((long) TestJournal.DEVICE_BLOCKS * BSIZE);
        JournalIo io = TestJournal.format(dev, J, 4);
        JournalLog log = JournalLog.open(io, LogConfig.create().policy(manual()));
        try (Transaction tx = log.begin(1, 0)) {
            tx.addMetadata(HOME, meta(5));
            tx.commit();
        }
        log.fsync();
        log.abandon();
        IOException e = assertThrows(IOException.class,
                () -> JournalLog.open(io, LogConfig.create().recoverOnOpen(false)));
        assertTrue(e.getMessage().contains("dirty"), e.getMessage());
        JournalLog again = JournalLog.open(io, LogConfig.create().policy(manual()));
        assertEquals(5, valueAt(dev, HOME));
        JournalHead head = HeadSearch.find(io);
        assertTrue(head.isClean());
        assertEquals(head.sequence() + 1, again.state().nextSequence());
        again.close();
    }

    @Test
    void aCorruptDescriptorInTheLiveLogIsAnErrorNamingTheBlock() throws Exception {
        MemoryDevice dev = new MemoryDevice((long) TestJournal.DEVICE_BLOCKS * BSIZE);
        JournalIo io = TestJournal.format(dev, J, 0);
        long start = HeadSearch.find(io).index() + 1;
        JournalLog log = JournalLog.open(io, LogConfig.create().policy(manual()));
        try (Transaction tx = log.begin(1, 0)) {
            tx.addMetadata(HOME, meta(5));
            tx.commit();
        }
        log.fsync();
        log.abandon();
        ByteBuffer ld = io.readBlock(start);
        ld.putInt(24, 333);
        io.writeBlock(start, ld);
        CorruptMetadataException e = assertThrows(CorruptMetadataException.class,
                () -> JournalRecovery.recover(io, 0, Clock.systemUTC()));
        assertEquals("ld_type", e.field());
        assertEquals(io.deviceBlock(start), e.block());
        assertEquals(-1, valueAt(dev, HOME), "nothing replayed from a corrupt log");
        assertTrue(!HeadSearch.find(io).isClean(), "the journal stays dirty");
    }

    @Test
    void aCopyAimedInsideTheJournalIsRejectedBeforeAnythingIsWritten() throws Exception {
        MemoryDevice dev = new MemoryDevice((long) TestJournal.DEVICE_BLOCKS * BSIZE);
        JournalIo io = TestJournal.format(dev, J, 0);
        long start = HeadSearch.find(io).index() + 1;
        JournalLog log = JournalLog.open(io, LogConfig.create().policy(manual()));
        try (Transaction tx = log.begin(1, 0)) {
            tx.addMetadata(HOME, meta(5));
            tx.commit();
        }
        try (Transaction tx = log.begin(1, 0)) {
            tx.addMetadata(HOME + 1, meta(6));
            tx.commit();
        }
        log.fsync();
        try (Transaction tx = log.begin(1, 0)) {
            tx.addMetadata(HOME + 2, meta(7));
            tx.commit();
        }
        log.fsync();
        log.abandon();
        // the second flush's descriptor now names a journal block
        long secondLd = start + 4;
        ByteBuffer ld = io.readBlock(secondLd);
        ld.putLong(72, io.deviceBlock(3));
        io.writeBlock(secondLd, ld);
        CorruptMetadataException e = assertThrows(CorruptMetadataException.class,
                () -> JournalRecovery.recover(io, 0, Clock.systemUTC()));
        assertEquals("block number", e.field());
        assertEquals(-1, valueAt(dev, HOME), "the first flush was not replayed either");
    }

    @Test
    void aLoggedCopyWithoutMagicIsRejected() throws Exception {
        MemoryDevice dev = new MemoryDevice((long) TestJournal.DEVICE_BLOCKS * BSIZE);
        JournalIo io = TestJournal.format(dev, J, 0);
        long start = HeadSearch.find(io).index() + 1;
        JournalLog log = JournalLog.open(io, LogConfig.create().policy(manual()));
        try (Transaction tx = log.begin(1, 0)) {
            tx.addMetadata(HOME, meta(5));
            tx.commit();
        }
        log.fsync();
        log.abandon();
        io.writeBlock(start + 1, ByteBuffer.allocate(BSIZE));
        CorruptMetadataException e = assertThrows(CorruptMetadataException.class,
                () -> JournalRecovery.recover(io, 0, Clock.systemUTC()));
        assertEquals("mh_magic", e.field());
    }

    @Test
    void aDirtyJournalOnAReadOnlyDeviceIsRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("dev.img");
        Files.write(file, new byte[TestJournal.DEVICE_BLOCKS * BSIZE]);
        try (BlockDevice dev = BlockDevices.open(file, false, 0)) {
            JournalIo io = TestJournal.format(dev, J, 0);
            JournalLog log = JournalLog.open(io, LogConfig.create().policy(manual()));
            try (Transaction tx = log.begin(1, 0)) {
                tx.addMetadata(HOME, meta(5));
                tx.commit();
            }
            log.fsync();
            log.abandon();
        }
        try (BlockDevice ro = BlockDevices.open(file, true, 0)) {
            DeviceException e = assertThrows(DeviceException.class,
                    () -> JournalRecovery.recover(ro, TestJournal.extents(J), BSIZE));
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
        }
    }

    @Test
    void concurrentCommittersShareFlushes() throws Exception {
        MemoryDevice dev = new MemoryDevice((long) TestJournal.DEVICE_BLOCKS * BSIZE);
        JournalIo io = TestJournal.format(dev, 128, 0);
        JournalLog log = JournalLog.open(io, LogConfig.create().policy(FlushPolicy.groupCommit(128)));
        int threads = 6;
        int perThread = 40;
        List<Thread> workers = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long block = HOME + t;
            Thread w = new Thread(() -> {
                try {
                    for (int i = 1; i <= perThread; i++) {
                        long ticket;
                        try (Transaction tx = log.begin(1, 0)) {
                            tx.addMetadata(block, meta(i));
                            ticket = tx.commit();
                        }
                        log.awaitDurable(ticket);
                    }
                } catch (Throwable e) {
                    synchronized (errors) {
                        errors.add(e);
                    }
                }
            });
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        assertTrue(errors.isEmpty(), errors.toString());
        // each fsync flush carries at least one commit (header-only flushes that move the tail
        // when the small log fills are counted as LOG_SPACE)
        long flushes = log.flushCount(FlushReason.FSYNC);
        assertTrue(flushes > 0 && flushes <= threads * perThread, "fsync flushes " + flushes);
        assertEquals(threads * perThread, log.metrics().counter("gfs2j.journal.commits").getCount());
        log.abandon();
        JournalRecovery.recover(io, 0, Clock.systemUTC());
        for (int t = 0; t < threads; t++) {
            assertEquals(perThread, valueAt(dev, HOME + t), "thread " + t + "'s last durable commit");
        }
        LogHeader head = HeadSearch.find(io).header();
        assertTrue(head.isUnmount());
        assertEquals(MetaType.LH, MetaHeader.typeOf(io.readBlock(head.blkno()), 0));
    }
}
