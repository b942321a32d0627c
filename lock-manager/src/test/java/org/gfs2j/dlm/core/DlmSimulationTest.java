package org.gfs2j.dlm.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Randomized simulation of the core on 3-4 nodes with per-envelope random delays (reordering on
 * every link). Seeds are fixed and logged; a failing seed reproduces exactly. Set
 * {@code -Dgfs2j.sim.seed=N} to run that seed only, {@code -Dgfs2j.sim.count=N} for N fresh seeds.
 */
class DlmSimulationTest {
    static long[] seeds() {
        String extra = System.getProperty("gfs2j.sim.seed");
        if (extra != null) {
            return new long[] {Long.parseLong(extra)};
        }
        String count = System.getProperty("gfs2j.sim.count"); // soak: N seeds from the clock, each logged
        if (count != null) {
            long base = System.nanoTime();
            long[] s = new long[Integer.parseInt(count)];
            for (int i = 0; i < s.length; i++) {
                s[i] = base + i;
            }
            return s;
        }
        return new long[] {1, 2, 3, 42, 1234, 9001, 31337, 777};
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomWorkloadKeepsInvariants(long seed) {
        System.out.println("simulation seed " + seed);
        // 4..15 resources: few means heavy contention, many means resources often idle and dropped
        SimCluster sim = new SimCluster(seed, 3 + (int) (seed % 2), 4, 4 + (int) Math.floorMod(seed, 12L), 40);
        sim.stopIssuingAt(20_000);
        sim.run(5_000_000);
        sim.checkFinished();
        assertTrue(sim.opsIssued > 1000, "only " + sim.opsIssued + " operations");
        assertTrue(sim.basts > 0, "no blocking callbacks happened");
        assertTrue(sim.tosses > 0, "no idle resource was dropped");
        System.out.println("seed " + seed + ": " + sim.opsIssued + " ops, " + sim.completions + " completions, "
                + sim.basts + " blocking callbacks, " + sim.tosses + " idle resources dropped, " + sim.steps + " steps");
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void nodeFailureAtRandomMoment(long seed) {
        System.out.println("simulation seed " + seed + " with a node failure");
        SimCluster sim = new SimCluster(seed, 3 + (int) (seed % 2), 4, 6, 40);
        int victim = 1 + sim.rnd.nextInt(sim.nodes);
        long when = 2_000 + sim.rnd.nextInt(10_000);
        sim.crashAt(when, victim);
        sim.stopIssuingAt(20_000);
        sim.run(5_000_000);
        sim.checkFinished();
        for (var e : sim.cores.entrySet()) {
            if (e.getKey() != victim) {
                assertTrue(e.getValue().recoveriesCompleted() >= 1, "node " + e.getKey() + " did not recover");
                assertTrue(!e.getValue().members().contains(victim));
            }
        }
        assertTrue(sim.opsIssued > 1000, "only " + sim.opsIssued + " operations");
        System.out.println("seed " + seed + ": node " + victim + " failed at t=" + when + "; " + sim.opsIssued + " ops, "
                + sim.completions + " completions, " + sim.basts + " blocking callbacks");
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void failedNodeRestartsAndJoins(long seed) {
        System.out.println("simulation seed " + seed + " with a failure and a rejoin");
        SimCluster sim = new SimCluster(seed, 3, 4, 6, 40);
        int victim = 1 + sim.rnd.nextInt(sim.nodes);
        long when = 2_000 + sim.rnd.nextInt(6_000);
        sim.crashAt(when, victim);
        sim.restartAt(when + 1_000 + sim.rnd.nextInt(3_000), victim, 4);
        sim.stopIssuingAt(20_000);
        sim.run(5_000_000);
        sim.checkFinished();
        for (var e : sim.cores.entrySet()) {
            assertTrue(e.getValue().members().containsAll(sim.cores.keySet()), "node " + e.getKey() + " members " + e.getValue().members());
            assertTrue(e.getValue().isRunning());
        }
        assertTrue(sim.opsIssued > 1000, "only " + sim.opsIssued + " operations");
        System.out.println("seed " + seed + ": node " + victim + " failed at t=" + when + " and rejoined; " + sim.opsIssued + " ops");
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void secondFailureDuringRecovery(long seed) {
        System.out.println("simulation seed " + seed + " with two failures close together");
        SimCluster sim = new SimCluster(seed, 4, 3, 6, 40);
        int first = 1 + sim.rnd.nextInt(4);
        int second = first % 4 + 1;
        long when = 2_000 + sim.rnd.nextInt(6_000);
        sim.crashAt(when, first);
        sim.crashAt(when + sim.rnd.nextInt(150), second); // often while the survivors are still recovering
        sim.stopIssuingAt(20_000);
        sim.run(5_000_000);
        sim.checkFinished();
        for (var e : sim.cores.entrySet()) {
            if (e.getKey() != first && e.getKey() != second) {
                assertTrue(e.getValue().members().size() == 2, "members " + e.getValue().members());
            }
        }
        System.out.println("seed " + seed + ": nodes " + first + " and " + second + " failed from t=" + when + "; " + sim.opsIssued + " ops");
    }
}
