package org.gfs2j.journal.testing;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.gfs2j.journal.device.BlockDevice;
import org.gfs2j.journal.device.BlockDevices;
import org.gfs2j.journal.format.MetaHeader;
import org.gfs2j.journal.log.FlushPolicy;
import org.gfs2j.journal.log.FlushReason;
import org.gfs2j.journal.log.JournalIo;
import org.gfs2j.journal.log.JournalLog;
import org.gfs2j.journal.log.LogConfig;
import org.gfs2j.journal.log.LogDaemon;
import org.gfs2j.journal.log.Transaction;

/**
 * A journal-only workload for {@link CrashHarness}: transaction i sets {@code di_mtime} =
 * {@link #BASE} + i on 1 to 4 dinodes of a mkfs image chosen by a seeded random generator
 * ({@link Plan}), sometimes logs a free scratch block as journaled data (half of them starting
 * with the magic, so escaped) and sometimes revokes one; it fsyncs every few transactions and prints {@code ACK i} after the fsync, and
 * now and then writes everything back. Group commit with an age-driven log daemon, a small
 * flush-size limit and a small journal-space threshold, so crashes hit flushes, write-back and
 * tail moves. Timestamps are not checked by fsck.gfs2, so every state is a consistent file system.
 *
 * <p>Arguments: image path, seed.
 */
public final class JournalCrashWorkload {
    public static final long BASE = 1L << 40;

    private JournalCrashWorkload() {
    }

    /** Free blocks near the end of the image that transactions log as journaled data and revoke. */
    public static final int SCRATCH_SLOTS = 32;

    /** Absolute block of scratch slot {@code slot} (free blocks at the end of the last rgrp). */
    public static long scratchBlock(long deviceBlocks, int slot) {
        return deviceBlocks - 9 - SCRATCH_SLOTS + slot;
    }

    /** The jdata image transaction {@code i} logs: starts with the GFS2 magic for even i (escaped in the log). */
    public static ByteBuffer scratchImage(long i, int bsize) {
        ByteBuffer b = ByteBuffer.allocate(bsize);
        b.putInt(0, i % 2 == 0 ? MetaHeader.MAGIC : (int) i);
        b.putLong(8, i);
        b.putLong(bsize - 8, i ^ 0x5555_5555L);
        return b;
    }

    /**
     * What transaction i does: set di_mtime on some dinodes, maybe log a scratch block as jdata,
     * maybe revoke another scratch block (-1: none).
     */
    public record Step(List<Long> dinodes, int jdataSlot, int revokeSlot) {
    }

    /** The steps of the transactions, in order (same sequence in the workload and the verifier). */
    public static final class Plan {
        private final Random rnd;
        private final List<Long> dinodes;

        public Plan(long seed, List<Long> dinodes) {
            this.rnd = new Random(seed);
            this.dinodes = dinodes;
        }

        public Step next() {
            int n = 1 + rnd.nextInt(Math.min(4, dinodes.size()));
            List<Long> pick = new ArrayList<>();
            while (pick.size() < n) {
                long b = dinodes.get(rnd.nextInt(dinodes.size()));
                if (!pick.contains(b)) {
                    pick.add(b);
                }
            }
            int jdata = rnd.nextInt(4) == 0 ? rnd.nextInt(SCRATCH_SLOTS) : -1;
            int revoke = rnd.nextInt(6) == 0 ? rnd.nextInt(SCRATCH_SLOTS) : -1;
            return new Step(pick, jdata, revoke == jdata ? -1 : revoke);
        }
    }

    /** Fsync after transaction i when this says so. */
    public static boolean fsyncAfter(long seed, int i) {
        return Math.floorMod(i * 31 + seed, 3) == 0;
    }

    public static void main(String[] args) throws Exception {
        Path image = Path.of(args[0]);
        long seed = Long.parseLong(args[1]);
        Gfs2Image img = Gfs2Image.open(image);
        List<Long> dinodes = img.dinodes();
        int transactions = 1_000_000;
        Random rnd = new Random(~seed);
        try (BlockDevice dev = BlockDevices.open(image, false, 0)) {
            JournalIo io = new JournalIo(dev, img.journal0, img.bsize);
            JournalLog log = JournalLog.open(io, LogConfig.create().jinodeAddr(img.journal0Addr)
                    .policy(new FlushPolicy("crash", 24, Duration.ofMillis(20), 30)));
            LogDaemon daemon = new LogDaemon(log, Duration.ofMillis(5));
            try {
                Map<Long, ByteBuffer> cache = new LinkedHashMap<>();
                for (long b : dinodes) {
                    cache.put(b, dev.readBlock(b, img.bsize));
                }
                System.out.println(CrashHarness.READY);
                System.out.flush();
                Plan plan = new Plan(seed, dinodes);
                long deviceBlocks = dev.size() / img.bsize;
                for (int i = 1; i <= transactions; i++) {
                    Step step = plan.next();
                    int blocks = step.dinodes().size() + (step.jdataSlot() >= 0 ? 1 : 0);
                    try (Transaction tx = log.begin(blocks, step.revokeSlot() >= 0 ? 1 : 0)) {
                        for (long b : step.dinodes()) {
                            ByteBuffer di = cache.get(b);
                            di.putLong(Gfs2Image.DI_MTIME, BASE + i);
                            tx.addMetadata(b, di);
                        }
                        if (step.jdataSlot() >= 0) {
                            tx.addJournaledData(scratchBlock(deviceBlocks, step.jdataSlot()), scratchImage(i, img.bsize));
                        }
                        if (step.revokeSlot() >= 0) {
                            tx.addRevoke(scratchBlock(deviceBlocks, step.revokeSlot()));
                        }
                        tx.commit();
                    }
                    if (fsyncAfter(seed, i)) {
                        log.fsync();
                        System.out.println("ACK " + i);
                        System.out.flush();
                    }
                    if (rnd.nextInt(50) == 0) {
                        log.writeBackAll(FlushReason.EXPLICIT);
                    }
                }
            } finally {
                daemon.close();
            }
            log.close();
        }
    }
}
