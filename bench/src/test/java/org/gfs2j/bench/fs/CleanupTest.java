package org.gfs2j.bench.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CleanupTest {
    @Test
    void runsNewestFirstAndKeepsGoingAfterAFailure() {
        Cleanup c = new Cleanup();
        List<String> order = new ArrayList<>();
        c.push("delete image", () -> order.add("image"));
        c.push("detach loop", () -> {
            order.add("loop");
            throw new IOException("busy");
        });
        c.push("unmount", () -> order.add("mount"));

        List<String> failures = c.runAll();

        assertEquals(List.of("mount", "loop", "image"), order);
        assertEquals(List.of("detach loop: busy"), failures);
        assertEquals(0, c.size());
        assertTrue(c.runAll().isEmpty(), "a second run has nothing left to do");
    }

    @Test
    void runAllOrThrowNamesEveryFailure() {
        Cleanup c = new Cleanup();
        c.push("a", () -> {
            throw new IOException("one");
        });
        c.push("b", () -> {
            throw new IOException("two");
        });
        IOException e = assertThrows(IOException.class, c::runAllOrThrow);
        assertEquals("b: two; a: one", e.getMessage());
    }
}
