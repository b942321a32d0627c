package org.gfs2j.journal.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.gfs2j.journal.format.CorruptMetadataException;
import org.gfs2j.journal.format.LogHeader;
import org.gfs2j.journal.testing.MemoryDevice;
import org.gfs2j.journal.testing.TestJournal;
import org.junit.jupiter.api.Test;

class HeadSearchTest {
    private static final int J = 24;

    @Test
    void findsTheHeadOfAFreshJournalForEveryRotation() throws Exception {
        for (int s = 0; s < J; s++) {
            MemoryDevice dev = new MemoryDevice((long) TestJournal.DEVICE_BLOCKS * TestJournal.BSIZE);
            JournalIo io = TestJournal.format(dev, J, s);
            JournalHead head = HeadSearch.find(io);
            assertEquals(J - 1 - s, head.index(), "start sequence " + s);
            assertEquals(J - 1, head.sequence());
            assertTrue(head.isClean());
            assertEquals(J, head.headers());
        }
    }

    @Test
    void findsTheHeadAtEveryWrapPositionWhileTheLogRuns() throws Exception {
        for (int s : new int[] {0, 7, J - 1}) {
            MemoryDevice dev = new MemoryDevice((long) TestJournal.DEVICE_BLOCKS * TestJournal.BSIZE);
            JournalIo io = TestJournal.format(dev, J, s);
            JournalLog log = JournalLog.open(io, LogConfig.create().jinodeAddr(TestJournal.JINODE)
                    .policy(FlushPolicy.everyCommit()));
            boolean[] seen = new boolean[J];
            for (int i = 0; i < 3 * J; i++) {
                try (Transaction tx = log.begin(1 + i % 3, 0)) {
                    for (int k = 0; k <= i % 3; k++) {
                        tx.addMetadata(TestJournal.HOME + k, TestJournal.meta(i));
                    }
                    tx.commit();
                }
                if (i % 4 == 3) {
                    log.writeBackAll(FlushReason.EXPLICIT);
                }
                JournalHead head = HeadSearch.find(io);
                JournalLog.State st = log.state();
                assertEquals(st.lastHeader(), head.index(), "flush " + i + " start " + s);
                assertEquals(st.nextSequence() - 1, head.sequence());
                assertFalse(head.isClean());
                assertTrue(head.descents() <= 1);
                seen[(int) head.index()] = true;
            }
            for (int i = 0; i < J; i++) {
                assertTrue(seen[i], "the head never was at journal block " + i);
            }
            log.abandon();
        }
    }

    @Test
    void aTornHeaderIsSkipped() throws Exception {
        MemoryDevice dev = new MemoryDevice((long) TestJournal.DEVICE_BLOCKS * TestJournal.BSIZE);
        JournalIo io = TestJournal.format(dev, J, 3);
        JournalHead before = HeadSearch.find(io);
        long next = (before.index() + 1) % J;
        ByteBuffer old = io.readBlock(next);
        ByteBuffer fresh = before.header().toBuilder().sequence(before.sequence() + 1).blkno(next)
                .addr(io.deviceBlock(next)).flags(LogHeader.FLAG_FLUSH_NORMAL).time(0x1234_5678L, 999)
                .localStatfs(1, 2, 3).encode(TestJournal.BSIZE, true);
        // A header's contents are its first 120 bytes, inside one sector, and devices tear writes
        // at sector boundaries; so a torn header is one whose first sector is partly old. lh_hash
        // covers bytes 0..47 and lh_crc 52..end: every such tear is caught, except a cut exactly
        // at 48..51 that pairs a new v1 part with an old self-consistent v2 part.
        for (int cut : new int[] {8, 24, 40, 60, 100, 116}) {
            ByteBuffer torn = ByteBuffer.allocate(TestJournal.BSIZE);
            torn.put(fresh.duplicate().position(0).limit(cut));
            torn.put(old.duplicate().position(cut));
            io.writeBlock(next, torn.flip());
            JournalHead head = HeadSearch.find(io);
            assertEquals(before.index(), head.index(), "torn at byte " + cut);
            assertEquals(before.sequence(), head.sequence());
        }
        io.writeBlock(next, fresh);
        assertEquals(next, HeadSearch.find(io).index());
    }

    @Test
    void rejectsEqualSequencesAndEmptyJournals() throws Exception {
        MemoryDevice dev = new MemoryDevice((long) TestJournal.DEVICE_BLOCKS * TestJournal.BSIZE);
        JournalIo io = TestJournal.format(dev, J, 0);
        LogHeader h5 = LogHeader.tryDecode(io.readBlock(5));
        io.writeBlock(9, h5.toBuilder().blkno(9).encode(TestJournal.BSIZE, true));
        CorruptMetadataException e = assertThrows(CorruptMetadataException.class, () -> HeadSearch.find(io));
        assertEquals("lh_sequence", e.field());

        MemoryDevice empty = new MemoryDevice((long) TestJournal.DEVICE_BLOCKS * TestJournal.BSIZE);
        JournalIo emptyIo = new JournalIo(empty, TestJournal.extents(J), TestJournal.BSIZE);
        assertThrows(CorruptMetadataException.class, () -> HeadSearch.find(emptyIo));
    }

    @Test
    void aHeaderAtTheWrongIndexDoesNotCount() throws Exception {
        MemoryDevice dev = new MemoryDevice((long) TestJournal.DEVICE_BLOCKS * TestJournal.BSIZE);
        JournalIo io = TestJournal.format(dev, J, 0);
        JournalHead head = HeadSearch.find(io);
        // a valid header claiming to be elsewhere (a block copied from another position)
        io.writeBlock(2, head.header().toBuilder().sequence(1000).encode(TestJournal.BSIZE, true));
        assertEquals(head.index(), HeadSearch.find(io).index());
    }
}
