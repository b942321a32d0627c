package org.gfs2j.journal.log;

import static org.gfs2j.journal.testing.TestJournal.BSIZE;
import static org.gfs2j.journal.testing.TestJournal.HOME;
import static org.gfs2j.journal.testing.TestJournal.meta;
import static org.gfs2j.journal.testing.TestJournal.valueAt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.gfs2j.journal.format.LogDescriptor;
import org.gfs2j.journal.format.LogHeader;
import org.gfs2j.journal.format.MetaHeader;
import org.gfs2j.journal.format.MetaType;
import org.gfs2j.journal.testing.MemoryDevice;
import org.gfs2j.journal.testing.TestJournal;
import org.junit.jupiter.api.Test;

class JournalLogTest {
    private static final int J = 64;

    private final MemoryDevice dev = new MemoryDevice((long) TestJournal.DEVICE_BLOCKS * BSIZE);

    private JournalIo io(int journalBlocks) throws IOException {
        return TestJournal.format(dev, journalBlocks, 11);
    }

    private static LogConfig config(FlushPolicy policy) {
        return LogConfig.create().jinodeAddr(TestJournal.JINODE).policy(policy);
    }

    private static FlushPolicy manual() {
        return new FlushPolicy("manual", 1 << 20, Duration.ofDays(1), 100);
    }

    private static void commit(JournalLog log, long value, long... blocks) throws IOException {
        try (Transaction tx = log.begin(blocks.length, 0)) {
            for (long b : blocks) {
                tx.addMetadata(b, meta(value));
            }
            tx.commit();
        }
    }

    @Test
    void fsyncedTransactionsAreReplayedAfterACrash() throws Exception {
        JournalIo io = io(J);
        JournalLog log = JournalLog.open(io, config(manual()));
        commit(log, 1, HOME, HOME + 1);
        commit(log, 2, HOME + 1, HOME + 2);
        log.fsync();
        log.abandon();
        assertEquals(-1, valueAt(dev, HOME), "nothing written in place before write-back");
        RecoveryResult r = JournalRecovery.recover(io, 0, Clock.systemUTC());
        assertTrue(r.wasDirty());
        assertEquals(3, r.replayed(), "one flush holds the newest image of each of the three blocks");
        assertEquals(1, valueAt(dev, HOME));
        assertEquals(2, valueAt(dev, HOME + 1));
        assertEquals(2, valueAt(dev, HOME + 2));
        assertNotNull(r.cleanHeader());
        JournalHead head = HeadSearch.find(io);
        assertTrue(head.isClean());
        assertEquals(r.cleanHeader().sequence(), head.sequence());
        assertEquals(LogHeader.FLAG_UNMOUNT | LogHeader.FLAG_RECOVERY, head.header().flags());
        assertFalse(JournalRecovery.recover(io, 0, Clock.systemUTC()).wasDirty(), "replay is done once");
    }

    @Test
    void committedButUnflushedTransactionsAreNotInTheLog() throws Exception {
        JournalIo io = io(J);
        JournalLog log = JournalLog.open(io, config(manual()));
        commit(log, 1, HOME);
        log.abandon();
        assertTrue(HeadSearch.find(io).isClean(), "no header was written");
        assertEquals(-1, valueAt(dev, HOME));
    }

    @Test
    void loggedBlocksCarryTheDescriptorLayout() throws Exception {
        JournalIo io = io(J);
        long start = HeadSearch.find(io).index() + 1;
        JournalLog log = JournalLog.open(io, config(manual()));
        try (Transaction tx = log.begin(2, 1)) {
            tx.addMetadata(HOME, meta(5)).addMetadata(HOME + 7, meta(6)).addRevoke(HOME + 9);
            tx.commit();
        }
        log.fsync();
        ByteBuffer ld = io.readBlock(start);
        LogDescriptor d = LogDescriptor.decode(ld, 0, J);
        assertEquals(LogDescriptor.TYPE_METADATA, d.type());
        assertEquals(2, d.data1());
        assertEquals(HOME, LogDescriptor.metadataBlock(ld, 0));
        assertEquals(HOME + 7, LogDescriptor.metadataBlock(ld, 1));
        assertEquals(6, io.readBlock(start + 2).getLong(100));
        ByteBuffer rv = io.readBlock(start + 3);
        LogDescriptor r = LogDescriptor.decode(rv, 0, J);
        assertEquals(LogDescriptor.TYPE_REVOKE, r.type());
        assertEquals(HOME + 9, rv.getLong(72));
        LogHeader h = LogHeader.decode(io.readBlock(start + 4), 0);
        assertEquals(start + 4, h.blkno());
        assertEquals(start, h.tail(), "the flush's own blocks are the whole live log");
        assertEquals(io.deviceBlock(start + 4), h.addr());
        assertEquals(TestJournal.JINODE, h.jinode());
        assertTrue(h.isV2());
        log.abandon();
    }

    @Test
    void revokesStopOlderCopiesFromBeingReplayed() throws Exception {
        JournalIo io = io(J);
        JournalLog log = JournalLog.open(io, config(manual()));
        commit(log, 1, HOME, HOME + 1);
        log.fsync();
        try (Transaction tx = log.begin(0, 1)) {
            tx.addRevoke(HOME);
            tx.commit();
        }
        log.fsync();
        commit(log, 3, HOME + 1);
        log.fsync();
        log.abandon();
        RecoveryResult r = JournalRecovery.recover(io, 0, Clock.systemUTC());
        assertEquals(-1, valueAt(dev, HOME), "revoked block must keep its in-place contents");
        assertEquals(3, valueAt(dev, HOME + 1));
        assertEquals(1, r.skippedRevoked());
        assertEquals(1, r.revokeEntries());
    }

    @Test
    void aBlockLoggedAgainAfterItsRevokeIsReplayed() throws Exception {
        JournalIo io = io(J);
        JournalLog log = JournalLog.open(io, config(manual()));
        commit(log, 1, HOME);
        log.fsync();
        try (Transaction tx = log.begin(0, 1)) {
            tx.addRevoke(HOME);
            tx.commit();
        }
        log.fsync();
        commit(log, 2, HOME);
        log.fsync();
        log.abandon();
        JournalRecovery.recover(io, 0, Clock.systemUTC());
        assertEquals(2, valueAt(dev, HOME));
    }

    @Test
    void aRevokeInTheSameFlushDropsTheImage() throws Exception {
        JournalIo io = io(J);
        JournalLog log = JournalLog.open(io, config(manual()));
        commit(log, 1, HOME, HOME + 1);
        try (Transaction tx = log.begin(0, 1)) {
            tx.addRevoke(HOME);
            tx.commit();
        }
        log.fsync();
        log.writeBackAll(FlushReason.EXPLICIT);
        assertEquals(-1, valueAt(dev, HOME), "a freed block is never written back");
        assertEquals(1, valueAt(dev, HOME + 1));
        log.close();
    }

    @Test
    void journaledDataStartingWithTheMagicIsEscaped() throws Exception {
        JournalIo io = io(J);
        long start = HeadSearch.find(io).index() + 1;
        JournalLog log = JournalLog.open(io, config(manual()));
        ByteBuffer data = ByteBuffer.allocate(BSIZE);
        data.putInt(0, MetaHeader.MAGIC).putInt(4, MetaType.LH.type()).putLong(24, 77);
        ByteBuffer plain = ByteBuffer.allocate(BSIZE);
        plain.putLong(0, 0x0102030405060708L);
        try (Transaction tx = log.begin(2, 0)) {
            tx.addJournaledData(HOME + 20, data).addJournaledData(HOME + 21, plain);
            tx.commit();
        }
        log.fsync();
        ByteBuffer ld = io.readBlock(start);
        assertEquals(LogDescriptor.TYPE_JDATA, LogDescriptor.decode(ld, 0, J).type());
        assertTrue(LogDescriptor.jdataEscaped(ld, 0));
        assertFalse(LogDescriptor.jdataEscaped(ld, 1));
        ByteBuffer logged = io.readBlock(start + 1);
        assertEquals(0, logged.getInt(0), "the magic is not in the log copy");
        assertEquals(77, logged.getLong(24));
        log.abandon();
        JournalRecovery.recover(io, 0, Clock.systemUTC());
        assertArrayEquals(data.array(), dev.readBlock(HOME + 20, BSIZE).array());
        assertArrayEquals(plain.array(), dev.readBlock(HOME + 21, BSIZE).array());
    }

    @Test
    void writeBackMovesTheTailAndCloseWritesAnUnmountHeader() throws Exception {
        JournalIo io = io(J);
        JournalLog log = JournalLog.open(io, config(manual()));
        commit(log, 4, HOME, HOME + 1);
        log.fsync();
        assertEquals(2, log.state().activeItems());
        long liveBefore = log.state().liveBlocks();
        assertEquals(4, liveBefore, "LD + 2 blocks + header");
        log.writeBackAll(FlushReason.EXPLICIT);
        assertEquals(4, valueAt(dev, HOME));
        assertEquals(0, log.state().activeItems());
        assertEquals(1, log.state().liveBlocks());
        JournalHead head = HeadSearch.find(io);
        assertEquals(head.index(), head.header().tail(), "empty live log");
        long seq = head.sequence();
        log.close();
        JournalHead closed = HeadSearch.find(io);
        assertTrue(closed.isClean());
        assertEquals(seq + 1, closed.sequence());
        assertEquals(closed.index(), closed.header().tail());
        JournalLog again = JournalLog.open(io, config(manual()));
        assertEquals(seq + 2, again.state().nextSequence());
        again.close();
    }

    @Test
    void wrapsAroundASmallJournalMakingRoomByWriteBack() throws Exception {
        int small = 24;
        JournalIo io = io(small);
        JournalLog log = JournalLog.open(io, config(FlushPolicy.everyCommit()));
        long[] expect = new long[5];
        for (int i = 1; i <= 200; i++) {
            int a = i % 5;
            int b = (i * 7) % 5;
            commit(log, i, HOME + a, HOME + b);
            expect[a] = i;
            expect[b] = i;
            JournalLog.State st = log.state();
            assertTrue(st.liveBlocks() <= small, "live log exceeds the journal");
        }
        assertTrue(log.flushCount(FlushReason.LOG_SPACE) > 0, "reservations forced write-back");
        assertEquals(200, log.flushCount(FlushReason.COMMIT));
        log.abandon();
        JournalRecovery.recover(io, 0, Clock.systemUTC());
        for (int k = 0; k < 5; k++) {
            assertEquals(expect[k], valueAt(dev, HOME + k), "block " + k);
        }
    }

    @Test
    void reservationsCoverTransactionsMixingMetadataAndJournaledData() throws Exception {
        int small = 16;
        JournalIo io = io(small);
        JournalLog log = JournalLog.open(io, config(manual()));
        ByteBuffer data = ByteBuffer.allocate(BSIZE);
        // distinct blocks, so a flush holds one metadata and one jdata descriptor per few commits
        for (int i = 1; i <= 40; i++) {
            try (Transaction tx = log.begin(2, 0)) {
                data.putLong(0, i);
                tx.addMetadata(HOME + i % 10, meta(i)).addJournaledData(HOME + 20 + i % 10, data);
                tx.commit();
            }
            assertTrue(log.state().liveBlocks() + log.state().pendingBlocks() <= small);
        }
        log.fsync();
        log.abandon();
        JournalRecovery.recover(io, 0, Clock.systemUTC());
        for (int i = 31; i <= 40; i++) {
            assertEquals(i, valueAt(dev, HOME + i % 10));
            assertEquals(i, dev.readBlock(HOME + 20 + i % 10, BSIZE).getLong(0));
        }
    }

    @Test
    void groupCommitPutsManyTransactionsInOneFlush() throws Exception {
        JournalIo io = io(J);
        JournalLog log = JournalLog.open(io, config(manual()));
        List<Long> tickets = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            try (Transaction tx = log.begin(1, 0)) {
                tx.addMetadata(HOME + i, meta(i));
                tickets.add(tx.commit());
            }
        }
        log.awaitDurable(tickets.get(3));
        assertEquals(1, log.flushCount(FlushReason.FSYNC));
        log.awaitDurable(tickets.get(9));
        assertEquals(1, log.flushCount(FlushReason.FSYNC), "ticket 9 was in the same flush");
        assertEquals(10, log.metrics().counter("gfs2j.journal.commits").getCount());
        assertEquals(10 + 1 + 1, log.metrics().counter("gfs2j.journal.log_blocks").getCount());
        log.close();
    }

    @Test
    void sizePolicyFlushesWhenPendingBlocksReachTheLimit() throws Exception {
        JournalIo io = io(J);
        JournalLog log = JournalLog.open(io, config(new FlushPolicy("small", 6, Duration.ofDays(1), 100)));
        for (int i = 0; i < 4; i++) {
            commit(log, i, HOME + i);
        }
        // 4 blocks + descriptor + header = 6 blocks: the fourth commit flushed
        assertEquals(1, log.flushCount(FlushReason.SIZE));
        assertEquals(0, log.state().pendingBlocks());
        log.close();
    }

    @Test
    void agePolicyFlushesOldTransactionsOnTick() throws Exception {
        AtomicLong now = new AtomicLong(1_000_000);
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(now.get());
            }
        };
        JournalIo io = io(J);
        JournalLog log = JournalLog.open(io, config(FlushPolicy.groupCommit(J)).clock(clock));
        commit(log, 1, HOME);
        log.tick();
        assertEquals(0, log.flushCount(FlushReason.AGE));
        now.addAndGet(29_999);
        log.tick();
        assertEquals(0, log.flushCount(FlushReason.AGE));
        now.addAndGet(1);
        log.tick();
        assertEquals(1, log.flushCount(FlushReason.AGE));
        assertEquals(0, log.state().pendingBlocks());
        assertEquals(1_030L, HeadSearch.find(io).header().sec());
        log.close();
    }

    @Test
    void tickWritesBackAndMovesTheTailAboveTheThreshold() throws Exception {
        JournalIo io = io(J);
        JournalLog log = JournalLog.open(io, config(new FlushPolicy("wb", 1 << 20, Duration.ofDays(1), 10)));
        commit(log, 1, HOME, HOME + 1, HOME + 2);
        log.fsync();
        log.tick();
        assertEquals(0, log.flushCount(FlushReason.TAIL), "5 of 64 blocks live: below 10%");
        commit(log, 2, HOME + 3, HOME + 4);
        log.fsync();
        assertEquals(9, log.state().liveBlocks());
        log.tick();
        assertEquals(1, log.flushCount(FlushReason.TAIL));
        assertEquals(1, log.state().liveBlocks());
        assertEquals(0, log.state().activeItems());
        for (int k = 0; k < 5; k++) {
            assertEquals(k < 3 ? 1 : 2, valueAt(dev, HOME + k));
        }
        assertEquals(5, log.metrics().counter("gfs2j.journal.written_back").getCount());
        log.close();
    }

    @Test
    void committedImagesAreReadableUntilWrittenBack() throws Exception {
        JournalIo io = io(J);
        JournalLog log = JournalLog.open(io, config(manual()));
        assertTrue(log.committedImage(HOME).isEmpty());
        commit(log, 1, HOME, HOME + 1);
        assertEquals(1, log.committedImage(HOME).orElseThrow().getLong(100), "pending");
        log.fsync();
        assertEquals(1, log.committedImage(HOME).orElseThrow().getLong(100), "awaiting write-back");
        commit(log, 2, HOME);
        assertEquals(2, log.committedImage(HOME).orElseThrow().getLong(100), "the newest wins");
        try (Transaction tx = log.begin(0, 1)) {
            tx.addRevoke(HOME + 1);
            tx.commit();
        }
        assertTrue(log.committedImage(HOME + 1).isEmpty(), "freed");
        ByteBuffer copy = log.committedImage(HOME).orElseThrow();
        copy.putLong(100, 77);
        assertEquals(2, log.committedImage(HOME).orElseThrow().getLong(100), "callers get copies");
        log.writeBackAll(FlushReason.EXPLICIT);
        assertTrue(log.committedImage(HOME).isEmpty(), "the device has it now");
        assertEquals(2, valueAt(dev, HOME));
        log.close();
    }

    @Test
    void orderedDataReachesTheDeviceBeforeTheCommitHeader() throws Exception {
        JournalIo io = io(J);
        JournalLog log = JournalLog.open(io, config(manual()));
        ByteBuffer data = ByteBuffer.allocate(BSIZE);
        data.putLong(0, 4242);
        dev.record();
        try (Transaction tx = log.begin(1, 0)) {
            tx.addOrderedData(OrderedData.block(dev, BSIZE, HOME + 50, data));
            tx.addMetadata(HOME, meta(1));
            tx.commit();
        }
        log.fsync();
        List<MemoryDevice.Write> w = dev.writes();
        int dataWrite = -1;
        int headerWrite = -1;
        for (int i = 0; i < w.size(); i++) {
            if (w.get(i).isFlush()) {
                continue;
            }
            if (w.get(i).offset() == (HOME + 50) * BSIZE) {
                dataWrite = i;
            }
            if (w.get(i).data().length == BSIZE && LogHeader.tryDecode(ByteBuffer.wrap(w.get(i).data())) != null) {
                headerWrite = i;
            }
        }
        assertTrue(dataWrite >= 0 && headerWrite > dataWrite, "data " + dataWrite + " header " + headerWrite);
        boolean flushBetween = false;
        for (int i = dataWrite + 1; i < headerWrite; i++) {
            flushBetween |= w.get(i).isFlush();
        }
        assertTrue(flushBetween, "a device flush separates the data from the header");
        log.close();
    }

    @Test
    void demoteWritesInPlaceAndRevokesSoReplayCannotOverwriteAnotherNode() throws Exception {
        JournalIo io = io(J);
        JournalLog log = JournalLog.open(io, config(manual()));
        commit(log, 1, HOME, HOME + 1);
        log.syncForDemote(List.of(HOME));
        assertEquals(1, valueAt(dev, HOME), "written in place before the lock is released");
        assertEquals(2, log.flushCount(FlushReason.DEMOTE));
        // another node now owns HOME and writes it
        dev.writeBlock(HOME, BSIZE, meta(99));
        log.abandon();
        JournalRecovery.recover(io, 0, Clock.systemUTC());
        assertEquals(99, valueAt(dev, HOME), "replay must not bring back our older copy");
        assertEquals(1, valueAt(dev, HOME + 1));
    }

    @Test
    void reservationsAreEnforced() throws Exception {
        JournalIo io = io(J);
        JournalLog log = JournalLog.open(io, config(manual()));
        assertThrows(IllegalArgumentException.class, () -> log.begin(J, 0));
        try (Transaction tx = log.begin(1, 0)) {
            tx.addMetadata(HOME, meta(1));
            tx.addMetadata(HOME, meta(2));
            assertThrows(IllegalStateException.class, () -> tx.addMetadata(HOME + 1, meta(1)));
            assertThrows(IllegalStateException.class, () -> tx.addRevoke(HOME + 2));
            assertThrows(IllegalArgumentException.class, () -> tx.addMetadata(HOME + 1, ByteBuffer.allocate(BSIZE)));
        }
        assertEquals(0, log.state().reserved(), "closing without commit returns the reservation");
        log.close();
    }

    @Test
    void aFailedLogWriteWithdrawsTheLog() throws Exception {
        JournalIo io = io(J);
        FailingDevice failing = new FailingDevice(dev);
        JournalLog log = JournalLog.open(new JournalIo(failing, io.extents(), BSIZE), config(manual()));
        commit(log, 1, HOME);
        failing.fail = true;
        assertThrows(IOException.class, log::fsync);
        failing.fail = false;
        IOException e = assertThrows(IOException.class, () -> log.begin(1, 0));
        assertTrue(e.getMessage().contains("withdrawn"), e.getMessage());
        log.close();
        assertTrue(HeadSearch.find(io).isClean(), "nothing was committed");
    }

    /** Delegates to a device and fails writes on demand. */
    private static final class FailingDevice implements org.gfs2j.journal.device.BlockDevice {
        private final MemoryDevice d;
        volatile boolean fail;

        FailingDevice(MemoryDevice d) {
            this.d = d;
        }

        @Override
        public java.nio.file.Path path() {
            return d.path();
        }

        @Override
        public long size() {
            return d.size();
        }

        @Override
        public int alignment() {
            return 1;
        }

        @Override
        public boolean isReadOnly() {
            return false;
        }

        @Override
        public void read(long offset, ByteBuffer dst) throws IOException {
            d.read(offset, dst);
        }

        @Override
        public void write(long offset, ByteBuffer src) throws IOException {
            if (fail) {
                throw new IOException("injected write error");
            }
            d.write(offset, src);
        }

        @Override
        public void flush() {
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
}
