package org.gfs2j.journal.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class LogDescriptorTest {
    @Test
    void capacitiesMatchTheSpecTable() {
        assertEquals(503, LogDescriptor.metadataCapacity(4096));
        assertEquals(55, LogDescriptor.metadataCapacity(512));
        assertEquals(251, LogDescriptor.jdataCapacity(4096));
        assertEquals(503, RevokeCodec.firstBlockCapacity(4096));
        assertEquals(509, RevokeCodec.logBlockCapacity(4096));
    }

    @Test
    void metadataDescriptorRoundTrips() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(4096);
        LogDescriptor.encode(b, 2, LogDescriptor.TYPE_METADATA, 4, 3);
        LogDescriptor.putMetadataBlock(b, 0, 100);
        LogDescriptor.putMetadataBlock(b, 2, 300);
        LogDescriptor ld = LogDescriptor.decode(b, 7, 2048);
        assertEquals(LogDescriptor.TYPE_METADATA, ld.type());
        assertEquals(4, ld.length());
        assertEquals(3, ld.data1());
        assertEquals(100, LogDescriptor.metadataBlock(b, 0));
        assertEquals(300, LogDescriptor.metadataBlock(b, 2));
        assertEquals(9, b.getInt(MetaHeader.OFF_TYPE));
        assertEquals(900, b.getInt(MetaHeader.OFF_FORMAT));
        assertEquals(2, b.getInt(MetaHeader.OFF_JID));
    }

    @Test
    void jdataPairsKeepTheEscapeFlag() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(4096);
        LogDescriptor.encode(b, 0, LogDescriptor.TYPE_JDATA, 3, 2);
        LogDescriptor.putJdataBlock(b, 0, 55, true);
        LogDescriptor.putJdataBlock(b, 1, 56, false);
        LogDescriptor.decode(b, 1, 100);
        assertEquals(55, LogDescriptor.jdataBlock(b, 0));
        assertTrue(LogDescriptor.jdataEscaped(b, 0));
        assertFalse(LogDescriptor.jdataEscaped(b, 1));
        assertEquals(1, b.getLong(72 + 8));
    }

    @Test
    void rejectsInconsistentDescriptors() {
        ByteBuffer b = ByteBuffer.allocate(4096);
        LogDescriptor.encode(b, 0, LogDescriptor.TYPE_METADATA, 5, 3);
        CorruptMetadataException e = assertThrows(CorruptMetadataException.class, () -> LogDescriptor.decode(b, 77, 100));
        assertEquals("ld_length", e.field());
        assertEquals(77, e.block());
        LogDescriptor.encode(b, 0, 299, 1, 0);
        assertEquals("ld_type", assertThrows(CorruptMetadataException.class, () -> LogDescriptor.decode(b, 1, 100)).field());
        LogDescriptor.encode(b, 0, LogDescriptor.TYPE_REVOKE, 1, 504);
        assertEquals("ld_data1", assertThrows(CorruptMetadataException.class, () -> LogDescriptor.decode(b, 1, 100)).field());
        LogDescriptor.encode(b, 0, LogDescriptor.TYPE_REVOKE, 200, 5);
        assertEquals("ld_length", assertThrows(CorruptMetadataException.class, () -> LogDescriptor.decode(b, 1, 100)).field());
    }

    @Test
    void revokeListSpansLogBlocks() throws Exception {
        long[] revoked = LongStream.rangeClosed(1, 503 + 509 + 7).map(i -> 1000 + i).toArray();
        assertEquals(3, RevokeCodec.blocksFor(4096, revoked.length));
        assertEquals(1, RevokeCodec.blocksFor(4096, 503));
        assertEquals(2, RevokeCodec.blocksFor(4096, 504));
        assertEquals(0, RevokeCodec.blocksFor(4096, 0));
        List<ByteBuffer> blocks = RevokeCodec.encode(4096, 1, revoked);
        assertEquals(3, blocks.size());
        LogDescriptor ld = LogDescriptor.decode(blocks.get(0), 1, 100);
        assertEquals(LogDescriptor.TYPE_REVOKE, ld.type());
        assertEquals(3, ld.length());
        assertEquals(revoked.length, ld.data1());
        assertEquals(MetaType.LB, MetaHeader.typeOf(blocks.get(1), 0));
        assertEquals(1000, blocks.get(1).getInt(MetaHeader.OFF_FORMAT));
        long remaining = ld.data1();
        long[] back = new long[revoked.length];
        int at = 0;
        for (int i = 0; i < 3; i++) {
            long[] e = RevokeCodec.entries(blocks.get(i), i == 0, remaining, i);
            System.arraycopy(e, 0, back, at, e.length);
            at += e.length;
            remaining -= e.length;
        }
        assertArrayEquals(revoked, back);
        assertEquals(0, blocks.get(2).getLong(24 + 8 * 7), "unused slots are zero");
    }
}
