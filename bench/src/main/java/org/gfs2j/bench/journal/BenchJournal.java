package org.gfs2j.bench.journal;

import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.gfs2j.journal.device.BlockDevice;
import org.gfs2j.journal.device.BlockDevices;
import org.gfs2j.journal.format.MetaHeader;
import org.gfs2j.journal.format.MetaType;
import org.gfs2j.journal.log.FlushPolicy;
import org.gfs2j.journal.log.FlushReason;
import org.gfs2j.journal.log.JournalExtents;
import org.gfs2j.journal.log.JournalFormatter;
import org.gfs2j.journal.log.JournalIo;
import org.gfs2j.journal.log.JournalLog;
import org.gfs2j.journal.log.LogConfig;
import org.gfs2j.journal.log.LogDaemon;
import org.gfs2j.journal.log.Transaction;

/**
 * Journal benchmark: commits per second and log bytes per second for small and large
 * transactions, with and without group commit, against the raw fdatasync rate of the same file
 * system measured in the same run (the peer). Every durable commit costs the log two device
 * flushes (body, then header), so "every commit" approaches half the fdatasync rate; group commit
 * shares those flushes between concurrent committers.
 *
 * <pre>
 * java -cp ... org.gfs2j.bench.journal.BenchJournal [--dir DIR] [--seconds S] [--rounds R] [--threads N] [--journal-mib M]
 * </pre>
 */
public final class BenchJournal {
    private static final int BSIZE = 4096;
    private static final long JOURNAL_START = 16;
    private static final int HOME_BLOCKS = 4096;

    /** One measured case. */
    public record Result(String name, int threads, int blocksPerTx, boolean fsyncEachCommit, long commits,
                         long logBlocks, double seconds, long flushes) {
        public double commitsPerSecond() {
            return commits / seconds;
        }

        public double logMiBPerSecond() {
            return logBlocks * (double) BSIZE / seconds / (1 << 20);
        }
    }

    /** Options; defaults suit a quick run. */
    public static final class Options {
        public Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        /** Seconds per measurement (each round measures the peer, then the case). */
        public double seconds = 1;
        /** Rounds per case; the round with the median ratio is reported. */
        public int rounds = 3;
        public int threads = 8;
        public int journalMiB = 128;
    }

    private BenchJournal() {
    }

    public static void main(String[] args) throws Exception {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dir" -> o.dir = Path.of(args[++i]);
                case "--seconds" -> o.seconds = Double.parseDouble(args[++i]);
                case "--threads" -> o.threads = Integer.parseInt(args[++i]);
                case "--journal-mib" -> o.journalMiB = Integer.parseInt(args[++i]);
                case "--rounds" -> o.rounds = Integer.parseInt(args[++i]);
                case "-h", "--help" -> {
                    System.out.println("usage: BenchJournal [--dir DIR] [--seconds S] [--rounds R] [--threads N] [--journal-mib M]");
                    return;
                }
                default -> {
                    System.err.println("unknown option " + args[i] + " (try --help)");
                    System.exit(2);
                }
            }
        }
        run(o, System.out);
    }

    /** Runs every case and prints the report; returns the fdatasync rate first, then the cases. */
    public static List<Result> run(Options o, PrintStream out) throws IOException, InterruptedException {
        Path file = Files.createTempFile(o.dir, "gfs2j-bench-journal", ".img");
        List<Result> results = new ArrayList<>();
        try {
            long journalBlocks = (long) o.journalMiB * (1 << 20) / BSIZE;
            long homeStart = JOURNAL_START + journalBlocks;
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.setLength((homeStart + HOME_BLOCKS) * BSIZE);
            }
            out.printf(Locale.ROOT, "device: %s (%s); each case runs %d rounds, each round right after the peer"
                    + " (4 KiB write + fdatasync on the same file); the round with the median ratio is shown%n%n",
                    file, Files.getFileStore(file).type(), o.rounds);
            out.printf(Locale.ROOT, "%-34s %7s %9s %11s %9s %9s %11s %9s %15s%n", "case", "threads", "blocks/tx",
                    "commits/s", "log MiB/s", "flushes", "fdatasync/s", "ratio", "ratio min-max");
            double peerSum = 0;
            int peers = 0;
            int[][] cases = {{1, 1, 1}, {1, 1, 0}, {1, o.threads, 0}, {64, 1, 1}, {64, 1, 0}, {64, o.threads, 0}, {1, 1, 2}};
            for (int[] c : cases) {
                int blocks = c[0];
                int threads = c[1];
                boolean everyCommit = c[2] == 1;
                boolean batched = c[2] == 2;
                String name = batched ? "small, group commit, no fsync"
                        : (blocks == 1 ? "small" : "large") + (everyCommit ? ", no group commit" : ", group commit")
                        + ", fsync each";
                List<Result> rounds = new ArrayList<>();
                List<Double> peerRates = new ArrayList<>();
                for (int round = 0; round < o.rounds; round++) {
                    double peer = fdatasyncRate(file, homeStart, o.seconds);
                    peerRates.add(peer);
                    peerSum += peer;
                    peers++;
                    rounds.add(batched ? measureBatched(file, journalBlocks, homeStart, o.seconds)
                            : measure(file, journalBlocks, homeStart, name, blocks, threads, everyCommit, o.seconds));
                }
                Integer[] order = new Integer[rounds.size()];
                for (int i = 0; i < order.length; i++) {
                    order[i] = i;
                }
                java.util.Arrays.sort(order, java.util.Comparator.comparingDouble(
                        i -> rounds.get(i).commitsPerSecond() / peerRates.get(i)));
                int median = order[order.length / 2];
                double lo = rounds.get(order[0]).commitsPerSecond() / peerRates.get(order[0]);
                double hi = rounds.get(order[order.length - 1]).commitsPerSecond() / peerRates.get(order[order.length - 1]);
                Result r = rounds.get(median);
                results.add(r);
                out.printf(Locale.ROOT, "%-34s %7d %9d %11.0f %9.1f %9d %11.0f %8.2fx %7.2f-%.2fx%n", r.name(),
                        r.threads(), r.blocksPerTx(), r.commitsPerSecond(), r.logMiBPerSecond(), r.flushes(),
                        peerRates.get(median), r.commitsPerSecond() / peerRates.get(median), lo, hi);
            }
            double fdatasync = peerSum / peers;
            results.add(0, new Result("fdatasync", 1, 1, true, (long) (fdatasync * o.seconds), 0, o.seconds, 0));
            out.printf(Locale.ROOT, "%nmean fdatasync rate over the run: %.0f /s%n", fdatasync);
            return results;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The peer: one 4 KiB write + fdatasync, repeated, on the same file. */
    static double fdatasyncRate(Path file, long block, double seconds) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.allocate(BSIZE);
            long n = 0;
            long end = System.nanoTime() + (long) (seconds * 1e9);
            long start = System.nanoTime();
            do {
                buf.clear().putLong(0, n);
                ch.write(buf, (block + n % 64) * BSIZE);
                ch.force(false);
                n++;
            } while (System.nanoTime() < end);
            return n / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static JournalLog openLog(BlockDevice dev, long journalBlocks, FlushPolicy policy) throws IOException {
        JournalIo io = new JournalIo(dev, JournalExtents.contiguous(JOURNAL_START, journalBlocks), BSIZE);
        JournalFormatter.format(io, 1, 0);
        return JournalLog.open(io, LogConfig.create().jinodeAddr(1).policy(policy));
    }

    private static ByteBuffer image(long value) {
        ByteBuffer b = ByteBuffer.allocate(BSIZE);
        MetaHeader.encode(b, MetaType.IN);
        b.putLong(64, value);
        return b;
    }

    private static Result measure(Path file, long journalBlocks, long homeStart, String name, int blocksPerTx,
                                  int threads, boolean everyCommit, double seconds)
            throws IOException, InterruptedException {
        FlushPolicy policy = everyCommit ? FlushPolicy.everyCommit() : FlushPolicy.groupCommit(journalBlocks);
        try (BlockDevice dev = BlockDevices.open(file, false, 0)) {
            JournalLog log = openLog(dev, journalBlocks, policy);
            AtomicLong commits = new AtomicLong();
            long before = log.metrics().counter("gfs2j.journal.log_blocks").getCount();
            long end = System.nanoTime() + (long) (seconds * 1e9);
            List<Thread> workers = new ArrayList<>();
            List<Exception> errors = new ArrayList<>();
            long start = System.nanoTime();
            LogDaemon daemon = new LogDaemon(log, Duration.ofMillis(50));
            try {
                for (int t = 0; t < threads; t++) {
                    int tid = t;
                    Thread w = new Thread(() -> {
                        try {
                            long i = 0;
                            // at least one commit per thread, however loaded the machine: a round reports a rate
                            do {
                                long ticket;
                                try (Transaction tx = log.begin(blocksPerTx, 0)) {
                                    for (int k = 0; k < blocksPerTx; k++) {
                                        long home = homeStart + (tid * 512L + (i * blocksPerTx + k) % 512) % HOME_BLOCKS;
                                        tx.addMetadata(home, image(i));
                                    }
                                    ticket = tx.commit();
                                }
                                log.awaitDurable(ticket);
                                commits.incrementAndGet();
                                i++;
                            } while (System.nanoTime() < end);
                        } catch (Exception e) {
                            synchronized (errors) {
                                errors.add(e);
                            }
                        }
                    });
                    workers.add(w);
                    w.start();
                }
                for (Thread w : workers) {
                    w.join();
                }
            } finally {
                daemon.close();
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            if (!errors.isEmpty()) {
                throw new IOException("benchmark worker failed: " + errors.get(0), errors.get(0));
            }
            long logBlocks = log.metrics().counter("gfs2j.journal.log_blocks").getCount() - before;
            long flushes = 0;
            for (FlushReason r : FlushReason.values()) {
                flushes += log.flushCount(r);
            }
            log.close();
            return new Result(name, threads, blocksPerTx, everyCommit, commits.get(), logBlocks, elapsed, flushes);
        }
    }

    /** Group commit without fsync: one thread commits, the size and age policy decide the flushes. */
    private static Result measureBatched(Path file, long journalBlocks, long homeStart, double seconds)
            throws IOException {
        try (BlockDevice dev = BlockDevices.open(file, false, 0)) {
            JournalLog log = openLog(dev, journalBlocks, FlushPolicy.groupCommit(journalBlocks));
            long commits = 0;
            long end = System.nanoTime() + (long) (seconds * 1e9);
            long start = System.nanoTime();
            LogDaemon daemon = new LogDaemon(log, Duration.ofMillis(50));
            try {
                do {
                    try (Transaction tx = log.begin(1, 0)) {
                        tx.addMetadata(homeStart + commits % HOME_BLOCKS, image(commits));
                        tx.commit();
                    }
                    commits++;
                } while (System.nanoTime() < end);
                log.fsync();
            } finally {
                daemon.close();
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            long logBlocks = log.metrics().counter("gfs2j.journal.log_blocks").getCount();
            long flushes = 0;
            for (FlushReason r : FlushReason.values()) {
                flushes += log.flushCount(r);
            }
            log.close();
            return new Result("small, group commit, no fsync", 1, 1, false, commits, logBlocks, elapsed, flushes);
        }
    }
}
