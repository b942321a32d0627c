package org.gfs2j.fs.glock;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.gfs2j.dlm.LockMode;
import org.junit.jupiter.api.Test;

class GlockNameTest {
    @Test
    void resourceNameIsGfs2sPaddedHex() {
        byte[] n = GlockName.inode(0x1a2b).resourceName();
        assertArrayEquals("       2            1a2b".getBytes(StandardCharsets.US_ASCII), n);
        assertEquals(24, n.length);
        assertEquals("       3ffffffffffffffff",
                new String(GlockName.rgrp(-1L).resourceName(), StandardCharsets.US_ASCII));
        assertEquals("       9               0",
                new String(GlockName.journal(0).resourceName(), StandardCharsets.US_ASCII));
    }

    @Test
    void parseRoundTripsAndRejectsGarbage() {
        GlockName q = GlockName.groupQuota(1000);
        assertEquals(new GlockName(GlockType.QUOTA, 2001), q);
        assertEquals(q, GlockName.parse(q.resourceName()));
        assertEquals(GlockName.rgrp(-1L), GlockName.parse(GlockName.rgrp(-1L).resourceName()));
        assertThrows(IllegalArgumentException.class, () -> GlockName.parse("short".getBytes(StandardCharsets.US_ASCII)));
        assertThrows(IllegalArgumentException.class,
                () -> GlockName.parse("       x            1a2b".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void typeNumbersAreGfs2s() {
        int[] expected = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        GlockType[] types = {GlockType.NONDISK, GlockType.INODE, GlockType.RGRP, GlockType.META, GlockType.IOPEN,
                GlockType.FLOCK, GlockType.PLOCK, GlockType.QUOTA, GlockType.JOURNAL};
        for (int i = 0; i < types.length; i++) {
            assertEquals(expected[i], types[i].number);
            assertEquals(types[i], GlockType.ofNumber(expected[i]));
        }
        assertThrows(IllegalArgumentException.class, () -> GlockType.ofNumber(0));
    }

    @Test
    void orderIsTypeThenUnsignedNumber() {
        List<GlockName> names = new ArrayList<>(List.of(GlockName.rgrp(5), GlockName.inode(-1L), GlockName.inode(7),
                GlockName.inode(3)));
        Collections.sort(names);
        assertEquals(List.of(GlockName.inode(3), GlockName.inode(7), GlockName.inode(-1L), GlockName.rgrp(5)), names);
        assertEquals("2/1a2b", GlockName.inode(0x1a2b).toString());
    }

    @Test
    void statesMapToDlmModesAsGfs2Does() {
        assertEquals(LockMode.NL, GlockState.UN.dlmMode);
        assertEquals(LockMode.PR, GlockState.SH.dlmMode);
        assertEquals(LockMode.CW, GlockState.DF.dlmMode);
        assertEquals(LockMode.EX, GlockState.EX.dlmMode);
        assertEquals(0, GlockState.UN.value);
        assertEquals(1, GlockState.EX.value);
        assertEquals(2, GlockState.DF.value);
        assertEquals(3, GlockState.SH.value);
        for (GlockState s : GlockState.values()) {
            assertEquals(s, GlockState.ofDlmMode(s.dlmMode));
        }
        assertEquals(GlockState.UN, GlockState.ofDlmMode(null));
        assertEquals(GlockState.UN, GlockState.demoteTargetFor(LockMode.EX));
        assertEquals(GlockState.SH, GlockState.demoteTargetFor(LockMode.PR));
        assertEquals(GlockState.DF, GlockState.demoteTargetFor(LockMode.CW));
        assertTrue(GlockState.SH.compatibleWith(GlockState.SH));
        assertTrue(!GlockState.SH.compatibleWith(GlockState.DF));
    }
}
