package org.gfs2j.bench.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Smoke run of the journal benchmark: it runs every case and reports sane counts (no timing asserted). */
class BenchJournalTest {
    @Test
    void runsEveryCase(@TempDir Path dir) throws Exception {
        BenchJournal.Options o = new BenchJournal.Options();
        o.dir = dir;
        o.seconds = 0.05;
        o.rounds = 1;
        o.threads = 2;
        o.journalMiB = 8;
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        List<BenchJournal.Result> results = BenchJournal.run(o, new PrintStream(text, true));
        assertEquals(8, results.size(), text.toString());
        for (BenchJournal.Result r : results) {
            assertTrue(r.commits() > 0, r.name() + " made no commits");
        }
        for (BenchJournal.Result r : results.subList(1, results.size())) {
            assertTrue(r.logBlocks() >= r.commits() / 64, r.name() + " wrote too few log blocks");
            assertTrue(r.flushes() > 0, r.name());
        }
        assertTrue(text.toString().contains("group commit"), text.toString());
    }
}
