package org.gfs2j.fs.glock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class LvbCodecTest {
    @Test
    void rgrpLvbLayoutIsBigEndianWithMagicFirst() {
        RgrpLvb v = new RgrpLvb(0x5, 1234, 56, 0x0102030405060708L, 9);
        byte[] b = v.encode();
        assertEquals(32, b.length);
        ByteBuffer bb = ByteBuffer.wrap(b);
        assertEquals(0x01161970, bb.getInt(0));
        assertEquals(5, bb.getInt(4));
        assertEquals(1234, bb.getInt(8));
        assertEquals(56, bb.getInt(12));
        assertEquals(0x0102030405060708L, bb.getLong(16));
        assertEquals(9, bb.getInt(24));
        assertEquals(0, bb.getInt(28));
        assertEquals(v, RgrpLvb.decode(b).orElseThrow());
    }

    @Test
    void zeroedOrShortValuesAreInvalid() {
        assertTrue(RgrpLvb.decode(new byte[32]).isEmpty());
        assertTrue(RgrpLvb.decode(new byte[8]).isEmpty());
        assertTrue(QuotaLvb.decode(new byte[32]).isEmpty());
    }

    @Test
    void quotaLvbLayout() {
        QuotaLvb q = new QuotaLvb(1000, 800, 12);
        byte[] b = q.encode();
        ByteBuffer bb = ByteBuffer.wrap(b);
        assertEquals(0x01161970, bb.getInt(0));
        assertEquals(0, bb.getInt(4));
        assertEquals(1000, bb.getLong(8));
        assertEquals(800, bb.getLong(16));
        assertEquals(12, bb.getLong(24));
        assertEquals(q, QuotaLvb.decode(b).orElseThrow());
    }
}
