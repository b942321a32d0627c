package org.gfs2j.journal.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.gfs2j.journal.device.BlockDevice;
import org.gfs2j.journal.device.BlockDevices;
import org.gfs2j.journal.testing.Gfs2Image;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogHeaderTest {
    private static LogHeader.Builder sample() {
        return LogHeader.builder().jid(3).sequence(0x1234_5678_9abcL).flags(LogHeader.FLAG_FLUSH_NORMAL)
                .tail(17).blkno(42).time(1_700_000_000L, 123_456_789).addr(9000).jinode(18)
                .statfsAddr(100).quotaAddr(101).localStatfs(-5, 7, -1);
    }

    @Test
    void roundTripsEveryField() throws Exception {
        ByteBuffer block = sample().encode(4096, true);
        LogHeader h = LogHeader.decode(block, 9000);
        assertEquals(3, h.jid());
        assertEquals(0x1234_5678_9abcL, h.sequence());
        assertEquals(LogHeader.FLAG_FLUSH_NORMAL, h.flags());
        assertEquals(17, h.tail());
        assertEquals(42, h.blkno());
        assertEquals(1_700_000_000L, h.sec());
        assertEquals(123_456_789, h.nsec());
        assertEquals(9000, h.addr());
        assertEquals(18, h.jinode());
        assertEquals(100, h.statfsAddr());
        assertEquals(101, h.quotaAddr());
        assertEquals(-5, h.localTotal());
        assertEquals(7, h.localFree());
        assertEquals(-1, h.localDinodes());
        assertTrue(h.isV2());
        assertFalse(h.isUnmount());
        for (int i = LogHeader.SIZE; i < 4096; i++) {
            assertEquals(0, block.get(i), "byte " + i);
        }
    }

    @Test
    void checksumsFollowTheSpecDefinition() {
        ByteBuffer block = sample().encode(4096, true);
        ByteBuffer copy = ByteBuffer.allocate(4096);
        copy.put(block.duplicate().position(0)).flip();
        copy.putInt(LogHeader.OFF_HASH, 0);
        assertEquals(Checksums.gfs2Hash(copy, 0, 48), block.getInt(LogHeader.OFF_HASH));
        assertEquals(Checksums.crc32cRaw(block, 52, 4096 - 52), block.getInt(LogHeader.OFF_CRC));
    }

    @Test
    void detectsCorruptionInEitherChecksummedRange() {
        for (int off : new int[] {0, 8, 24, 36, 40, 47, 52, 64, 119, 2000, 4095}) {
            ByteBuffer block = sample().encode(4096, true);
            block.put(off, (byte) (block.get(off) ^ 0x10));
            assertNull(LogHeader.tryDecode(block), "flipped byte " + off + " went unnoticed");
        }
        ByteBuffer torn = sample().encode(4096, true);
        assertThrows(CorruptMetadataException.class, () -> {
            torn.put(3000, (byte) 1);
            LogHeader.decode(torn, 5);
        });
    }

    @Test
    void v1HeaderWithoutCrcIsValid() {
        ByteBuffer block = sample().encode(4096, false);
        assertEquals(0, block.getInt(LogHeader.OFF_CRC));
        LogHeader h = LogHeader.tryDecode(block);
        assertNotNull(h);
        assertFalse(h.isV2());
        block.put(3000, (byte) 1); // outside lh_hash's range and no crc to catch it
        assertNotNull(LogHeader.tryDecode(block));
    }

    @Test
    void matchesEveryHeaderMkfsWrote(@TempDir Path dir) throws Exception {
        assumeTrue(Gfs2Image.toolsAvailable(), "gfs2-utils not installed");
        Gfs2Image img = Gfs2Image.create(dir.resolve("img"), 64);
        try (BlockDevice dev = BlockDevices.open(img.path, true, 0)) {
            for (long i = 0; i < img.journal0.size(); i++) {
                long blockNo = img.journal0.deviceBlock(i);
                ByteBuffer mkfs = dev.readBlock(blockNo, img.bsize);
                LogHeader h = LogHeader.decode(mkfs, blockNo);
                assertEquals(i, h.blkno());
                assertEquals(LogHeader.FLAG_UNMOUNT | LogHeader.FLAG_USERSPACE, h.flags());
                assertEquals(img.journal0Addr, h.jinode());
                ByteBuffer ours = h.toBuilder().encode(img.bsize, true);
                assertArrayEquals(mkfs.array(), ours.array(), "journal block " + i);
            }
        }
    }
}
