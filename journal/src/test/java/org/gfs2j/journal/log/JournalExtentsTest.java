package org.gfs2j.journal.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class JournalExtentsTest {
    private final JournalExtents x = new JournalExtents(List.of(
            new JournalExtents.Extent(10, 500, 6),
            new JournalExtents.Extent(0, 100, 10)));

    @Test
    void mapsIndicesThroughUnsortedExtents() {
        assertEquals(16, x.size());
        assertEquals(100, x.deviceBlock(0));
        assertEquals(109, x.deviceBlock(9));
        assertEquals(500, x.deviceBlock(10));
        assertEquals(505, x.deviceBlock(15));
        assertThrows(IndexOutOfBoundsException.class, () -> x.deviceBlock(16));
        assertTrue(x.containsDeviceBlock(503));
        assertFalse(x.containsDeviceBlock(110));
    }

    @Test
    void splitsRangesAtExtentBoundariesAndTheWrap() {
        assertEquals(List.of(new JournalExtents.Run(8, 108, 2), new JournalExtents.Run(10, 500, 3)), x.runs(8, 5));
        assertEquals(List.of(new JournalExtents.Run(14, 504, 2), new JournalExtents.Run(0, 100, 3)), x.runs(14, 5));
        assertEquals(List.of(new JournalExtents.Run(3, 103, 1)), x.runs(19, 1), "start wraps modulo J");
        assertThrows(IllegalArgumentException.class, () -> x.runs(0, 17));
    }

    @Test
    void rejectsHolesAndOverlaps() {
        assertThrows(IllegalArgumentException.class, () -> new JournalExtents(List.of(
                new JournalExtents.Extent(0, 100, 10), new JournalExtents.Extent(11, 200, 5))));
        assertThrows(IllegalArgumentException.class, () -> new JournalExtents(List.of(
                new JournalExtents.Extent(0, 100, 10), new JournalExtents.Extent(9, 200, 5))));
        assertThrows(IllegalArgumentException.class, () -> new JournalExtents(List.of()));
        assertThrows(IllegalArgumentException.class, () -> new JournalExtents.Extent(0, 1, 0));
    }
}
