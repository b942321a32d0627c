package org.gfs2j.fs.glock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LruTest {
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final FakeDlm dlm = new FakeDlm(32, log);
    private final TestNode n1 = new TestNode(dlm, 1, log, GlockConfig.cluster().withLruLimit(2));

    @AfterEach
    void close() {
        n1.close();
    }

    @Test
    void unusedGlocksBeyondTheLimitAreDemotedAndFreedOldestFirst() throws Exception {
        n1.glocks.acquire(GlockName.inode(1), GlockState.EX).close();
        n1.glocks.acquire(GlockName.inode(2), GlockState.SH).close();
        Holder busy = n1.glocks.acquire(GlockName.inode(3), GlockState.SH);
        n1.worker.runAll();
        assertEquals(3, n1.glocks.size(), "two unused plus one in use");
        n1.glocks.acquire(GlockName.inode(1), GlockState.SH).close(); // 1 becomes the most recently used
        n1.glocks.acquire(GlockName.inode(4), GlockState.SH).close();
        n1.worker.runAll();
        assertNull(n1.glocks.find(GlockName.inode(2)), "least recently used goes first");
        assertNotNull(n1.glocks.find(GlockName.inode(1)));
        assertNotNull(n1.glocks.find(GlockName.inode(3)));
        assertTrue(log.contains("n1 convert 2/2 PR->NL") && log.contains("n1 unlock 2/2 NL"), log.toString());
        assertEquals(2, n1.glocks.lruSize());
        busy.close();
    }
}
