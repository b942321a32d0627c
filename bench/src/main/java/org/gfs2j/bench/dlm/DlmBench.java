package org.gfs2j.bench.dlm;

import com.codahale.metrics.MetricRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.gfs2j.dlm.Completion;
import org.gfs2j.dlm.DlmStatus;
import org.gfs2j.dlm.LockMode;
import org.gfs2j.dlm.LockWaiter;
import org.gfs2j.dlm.Lockspace;
import org.gfs2j.dlm.net.ClusterKey;
import org.gfs2j.dlm.node.DlmNode;
import org.gfs2j.dlm.node.InProcessLockManager;
import org.gfs2j.dlm.node.NodeConfig;

/**
 * {@code gfs2j bench dlm}: the lock manager against a bare Netty request/response round trip
 * measured in the same run on the same loopback.
 *
 * <ul>
 * <li>local lock+unlock pairs per second (resource mastered on the calling node, no messages);
 * <li>remote lock request latency p50/p99 (resource mastered on the other node: one round trip);
 * <li>two nodes ping-ponging one EX lock: transfers per second.
 * </ul>
 * Each is printed with the matching Netty figure and their ratio.
 */
public final class DlmBench {
    private static final Duration T = Duration.ofSeconds(30);
    private static final int PAYLOAD = 64; // about the size of a REQUEST envelope

    private final Duration phase;
    private final PrintStream out;

    public DlmBench(Duration phase, PrintStream out) {
        this.phase = phase;
        this.out = out;
    }

    /** Runs every phase and returns the figures by name. */
    public Map<String, Double> run() throws Exception {
        Map<String, Double> r = new TreeMap<>();
        out.println("gfs2j bench dlm: " + phase.toMillis() + " ms per phase, loopback TCP, one JVM");
        try (NettyEchoPeer netty = new NettyEchoPeer()) {
            double[] rtt = nettyRoundTrips(netty);
            double nettyPerSec = rtt[2];
            r.put("netty.roundTripsPerSec", nettyPerSec);
            r.put("netty.p50us", rtt[0]);
            r.put("netty.p99us", rtt[1]);
            out.printf("bare Netty request/response:   %,12.0f round trips/s   p50 %8.1f us   p99 %8.1f us%n", nettyPerSec, rtt[0], rtt[1]);

            double local = localPairs();
            r.put("dlm.localPairsPerSec", local);
            out.printf("DLM local lock+unlock:         %,12.0f pairs/s         = %6.2f x Netty round trips/s%n", local, local / nettyPerSec);

            Path dir = Files.createTempDirectory("gfs2j-bench-dlm");
            try {
                ClusterKey key = ClusterKey.generate(dir.resolve("cluster.key"));
                DlmNode[] pair = startPair(key);
                try (DlmNode n1 = pair[0]; DlmNode n2 = pair[1]) {
                    Lockspace l1 = n1.openLockspace("bench");
                    Lockspace l2 = n2.openLockspace("bench");
                    double[] lat = remoteLatency(l1, l2);
                    r.put("dlm.remoteP50us", lat[0]);
                    r.put("dlm.remoteP99us", lat[1]);
                    out.printf("DLM remote lock request:       p50 %8.1f us (%5.2f x Netty p50)   p99 %8.1f us (%5.2f x Netty p99)%n",
                            lat[0], lat[0] / rtt[0], lat[1], lat[1] / rtt[1]);
                    double transfers = pingPong(l1, l2);
                    r.put("dlm.exTransfersPerSec", transfers);
                    out.printf("DLM EX ping-pong, 2 nodes:     %,12.0f transfers/s     = %6.3f x Netty round trips/s%n",
                            transfers, transfers / nettyPerSec);
                }
            } finally {
                try (var files = Files.list(dir)) {
                    for (Path p : (Iterable<Path>) files::iterator) {
                        Files.deleteIfExists(p);
                    }
                }
                Files.deleteIfExists(dir);
            }
        }
        return r;
    }

    /** p50 us, p99 us, round trips per second. */
    private double[] nettyRoundTrips(NettyEchoPeer netty) throws Exception {
        long end = System.nanoTime() + phase.toNanos() / 4;
        while (System.nanoTime() < end) {
            netty.roundTrip(PAYLOAD); // warm-up
        }
        long[] samples = new long[1 << 20];
        int n = 0;
        long start = System.nanoTime();
        end = start + phase.toNanos();
        while (System.nanoTime() < end && n < samples.length) {
            long t0 = System.nanoTime();
            netty.roundTrip(PAYLOAD);
            samples[n++] = System.nanoTime() - t0;
        }
        double secs = (System.nanoTime() - start) / 1e9;
        return new double[] {percentile(samples, n, 50), percentile(samples, n, 99), n / secs};
    }

    private double localPairs() {
        try (InProcessLockManager lm = new InProcessLockManager()) {
            Lockspace ls = lm.openLockspace("bench");
            LockWaiter w = new LockWaiter();
            byte[] name = "       2            local".getBytes();
            pairs(ls, w, name, phase.toNanos() / 4);
            long start = System.nanoTime();
            long n = pairs(ls, w, name, phase.toNanos());
            return n / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static long pairs(Lockspace ls, LockWaiter w, byte[] name, long nanos) {
        long end = System.nanoTime() + nanos;
        long n = 0;
        while (System.nanoTime() < end) {
            Completion c = LockWaiter.lock(ls, name, LockMode.EX, 0, w, T);
            check(c, DlmStatus.OK);
            ls.unlock(c.lockId(), 0, null);
            check(w.await(T), DlmStatus.EUNLOCK);
            n++;
        }
        return n;
    }

    /** Node 1 masters the resource (it asked first and keeps an NL lock); node 2 requests PR and unlocks. */
    private double[] remoteLatency(Lockspace l1, Lockspace l2) {
        byte[] name = "       2            remote".getBytes();
        check(LockWaiter.lock(l1, name, LockMode.NL, 0, new LockWaiter(), T), DlmStatus.OK);
        LockWaiter w = new LockWaiter();
        long[] samples = new long[1 << 20];
        for (int pass = 0; pass < 2; pass++) {
            long end = System.nanoTime() + (pass == 0 ? phase.toNanos() / 4 : phase.toNanos());
            int n = 0;
            while (System.nanoTime() < end && n < samples.length) {
                long t0 = System.nanoTime();
                Completion c = LockWaiter.lock(l2, name, LockMode.PR, 0, w, T);
                samples[n++] = System.nanoTime() - t0;
                check(c, DlmStatus.OK);
                l2.unlock(c.lockId(), 0, null);
                check(w.await(T), DlmStatus.EUNLOCK);
            }
            if (pass == 1) {
                return new double[] {percentile(samples, n, 50), percentile(samples, n, 99)};
            }
        }
        throw new IllegalStateException();
    }

    /** Two threads, one per node, each taking EX and releasing it at once: every grant is a transfer. */
    private double pingPong(Lockspace l1, Lockspace l2) throws InterruptedException {
        byte[] name = "       2            pingpong".getBytes();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong grants = new AtomicLong();
        AtomicLong[] lastHolder = {new AtomicLong()};
        AtomicLong transfers = new AtomicLong();
        Thread[] ts = new Thread[2];
        Lockspace[] ls = {l1, l2};
        Throwable[] failure = new Throwable[1];
        for (int i = 0; i < 2; i++) {
            int me = i + 1;
            Lockspace l = ls[i];
            ts[i] = new Thread(() -> {
                try {
                    LockWaiter w = new LockWaiter();
                    while (!stop.get()) {
                        Completion c = LockWaiter.lock(l, name, LockMode.EX, 0, w, T);
                        check(c, DlmStatus.OK);
                        grants.incrementAndGet();
                        if (lastHolder[0].getAndSet(me) != me) {
                            transfers.incrementAndGet();
                        }
                        l.unlock(c.lockId(), 0, null);
                        check(w.await(T), DlmStatus.EUNLOCK);
                    }
                } catch (Throwable e) {
                    failure[0] = e;
                }
            }, "pingpong-" + me);
        }
        for (Thread t : ts) {
            t.start();
        }
        Thread.sleep(phase.toMillis() / 4);
        long t0 = System.nanoTime();
        long x0 = transfers.get();
        Thread.sleep(phase.toMillis());
        long x1 = transfers.get();
        double secs = (System.nanoTime() - t0) / 1e9;
        stop.set(true);
        for (Thread t : ts) {
            t.join(60_000);
        }
        if (failure[0] != null) {
            throw new IllegalStateException("ping-pong failed: " + failure[0].getMessage(), failure[0]);
        }
        return (x1 - x0) / secs;
    }

    private static void check(Completion c, int status) {
        if (c.status() != status) {
            throw new IllegalStateException("expected " + DlmStatus.name(status) + ", got " + c);
        }
    }

    private static double percentile(long[] samples, int n, double p) {
        if (n == 0) {
            return Double.NaN;
        }
        long[] s = Arrays.copyOf(samples, n);
        Arrays.sort(s);
        int idx = (int) Math.min(n - 1, Math.ceil(p / 100.0 * n) - 1);
        return s[Math.max(0, idx)] / 1000.0;
    }

    /** Two nodes on loopback ports below the ephemeral range, retried if a port is taken meanwhile. */
    private static DlmNode[] startPair(ClusterKey key) throws IOException {
        java.util.Random rnd = new java.util.Random();
        IOException last = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            Map<Integer, InetSocketAddress> nodes = new TreeMap<>();
            nodes.put(1, new InetSocketAddress(InetAddress.getLoopbackAddress(), 20000 + rnd.nextInt(12000)));
            nodes.put(2, new InetSocketAddress(InetAddress.getLoopbackAddress(), 20000 + rnd.nextInt(12000)));
            DlmNode n1 = null;
            try {
                n1 = new DlmNode(new NodeConfig(1, nodes, key, -1, false), new MetricRegistry()).start();
                DlmNode n2 = new DlmNode(new NodeConfig(2, nodes, key, -1, false), new MetricRegistry()).start();
                return new DlmNode[] {n1, n2};
            } catch (IOException e) {
                last = e;
                if (n1 != null) {
                    n1.close();
                }
            }
        }
        throw last;
    }
}
