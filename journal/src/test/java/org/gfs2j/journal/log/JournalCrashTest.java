package org.gfs2j.journal.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.gfs2j.journal.device.BlockDevice;
import org.gfs2j.journal.device.BlockDevices;
import org.gfs2j.journal.testing.CrashHarness;
import org.gfs2j.journal.testing.Gfs2Image;
import org.gfs2j.journal.testing.JournalCrashWorkload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 at random moments of {@link JournalCrashWorkload}, then replay (our recovery on even
 * runs, fsck.gfs2 -y on odd ones): fsck.gfs2 -n must call the image clean, every fsynced
 * transaction must be present, and the dinodes must show exactly the state after some prefix of
 * the transactions (all or nothing per transaction). {@code -Dgfs2j.crash.runs=N} for more runs.
 */
class JournalCrashTest {
    @TempDir
    Path dir;

    @Test
    void everyFsyncedChangeSurvivesKillNine() throws Exception {
        assumeTrue(Gfs2Image.toolsAvailable(), "gfs2-utils not installed");
        Path template = dir.resolve("template.img");
        Gfs2Image img = Gfs2Image.create(template, 64);
        List<Long> dinodes = img.dinodes();
        assertTrue(dinodes.size() >= 8, "dinodes found: " + dinodes);
        Map<Long, Long> original = new HashMap<>();
        try (BlockDevice dev = BlockDevices.open(template, true, 0)) {
            for (long b : dinodes) {
                original.put(b, dev.readBlock(b, img.bsize).getLong(Gfs2Image.DI_MTIME));
            }
        }
        Path image = dir.resolve("run.img");
        List<CrashHarness.Run> runs = CrashHarness.run(
                new CrashHarness.Config(JournalCrashWorkload.class, 12, 20261124L, 1500),
                CrashHarness.Setup.freshCopy(template, image),
                (run, seed, acked, args) -> verify(run, seed, acked, image, img, dinodes, original));
        assertFalse(runs.isEmpty());
        assertTrue(runs.stream().mapToInt(CrashHarness.Run::acknowledged).sum() > 0, "no run acknowledged anything");
    }

    private static void verify(int run, long seed, List<String> acked, Path image, Gfs2Image img,
                               List<Long> dinodes, Map<Long, Long> original) throws Exception {
        long lastAck = 0;
        for (String line : acked) {
            assertTrue(line.startsWith("ACK "), "unexpected workload output: " + line);
            lastAck = Math.max(lastAck, Long.parseLong(line.substring(4)));
        }
        if (run % 2 == 0) {
            try (BlockDevice dev = BlockDevices.open(image, false, 0)) {
                JournalRecovery.recover(new JournalIo(dev, img.journal0, img.bsize), 0, Clock.systemUTC());
            }
        } else {
            Gfs2Image.Result r = Gfs2Image.fsck(image, "-y");
            assertTrue(r.exit() <= 1, "seed " + seed + ": fsck -y exit " + r.exit() + "\n" + r.output());
        }
        Gfs2Image.Result clean = Gfs2Image.fsck(image, "-n");
        assertEquals(0, clean.exit(), "seed " + seed + ": fsck -n\n" + clean.output());
        assertFalse(clean.output().contains("dirty"), "seed " + seed + ": journal still dirty\n" + clean.output());

        Map<Long, Long> got = new HashMap<>();
        long newest = 0;
        try (BlockDevice dev = BlockDevices.open(image, true, 0)) {
            for (long b : dinodes) {
                long mtime = dev.readBlock(b, img.bsize).getLong(Gfs2Image.DI_MTIME);
                got.put(b, mtime);
                if (mtime >= JournalCrashWorkload.BASE) {
                    newest = Math.max(newest, mtime - JournalCrashWorkload.BASE);
                }
            }
        }
        assertTrue(newest >= lastAck, "seed " + seed + ": transaction " + lastAck + " was fsynced but the newest present is " + newest);
        // the state must be exactly the one after transactions 1..newest
        Map<Long, Long> expect = new HashMap<>(original);
        JournalCrashWorkload.Plan plan = new JournalCrashWorkload.Plan(seed, dinodes);
        long[] lastLogged = new long[JournalCrashWorkload.SCRATCH_SLOTS];
        boolean[] revokedSince = new boolean[JournalCrashWorkload.SCRATCH_SLOTS];
        java.util.List<java.util.Set<Long>> loggedTo = new java.util.ArrayList<>();
        for (int s = 0; s < JournalCrashWorkload.SCRATCH_SLOTS; s++) {
            loggedTo.add(new java.util.HashSet<>());
        }
        for (long i = 1; i <= newest; i++) {
            JournalCrashWorkload.Step step = plan.next();
            for (long b : step.dinodes()) {
                expect.put(b, JournalCrashWorkload.BASE + i);
            }
            if (step.jdataSlot() >= 0) {
                lastLogged[step.jdataSlot()] = i;
                revokedSince[step.jdataSlot()] = false;
                loggedTo.get(step.jdataSlot()).add(i);
            }
            if (step.revokeSlot() >= 0) {
                revokedSince[step.revokeSlot()] = true;
            }
        }
        assertEquals(expect, got, "seed " + seed + ": not the state after transaction " + newest);
        try (BlockDevice dev = BlockDevices.open(image, true, 0)) {
            long blocks = dev.size() / img.bsize;
            for (int s = 0; s < JournalCrashWorkload.SCRATCH_SLOTS; s++) {
                ByteBuffer b = dev.readBlock(JournalCrashWorkload.scratchBlock(blocks, s), img.bsize);
                long v = b.getLong(8);
                String where = "seed " + seed + ": scratch slot " + s + " after transaction " + newest;
                if (lastLogged[s] > 0 && !revokedSince[s]) {
                    assertEquals(JournalCrashWorkload.scratchImage(lastLogged[s], img.bsize), b, where);
                } else if (!b.equals(ByteBuffer.allocate(img.bsize))) {
                    // freed (revoked) or never logged: whatever was written in place before
                    assertTrue(loggedTo.get(s).contains(v), where + " holds an image never logged to it: " + v);
                    assertEquals(JournalCrashWorkload.scratchImage(v, img.bsize), b, where);
                }
            }
        }
    }
}
