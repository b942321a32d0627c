package org.gfs2j.dlm.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.codahale.metrics.MetricRegistry;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.gfs2j.dlm.Completion;
import org.gfs2j.dlm.DlmException;
import org.gfs2j.dlm.DlmStatus;
import org.gfs2j.dlm.LockCallbacks;
import org.gfs2j.dlm.LockFlags;
import org.gfs2j.dlm.LockMode;
import org.gfs2j.dlm.proto.Envelope;

/**
 * A discrete-event simulation of several {@link LockspaceCore}s: messages get random delays per
 * envelope (so links reorder; the cores must restore order), clients issue random lock, convert,
 * unlock and cancel calls, and after every event the invariants are checked: no two incompatible
 * grants at once (holder views and master views), exactly one completion per accepted operation,
 * value blocks as the rules say. At the end everything must have completed.
 */
final class SimCluster {
    static final int LVB = 32;
    static final String LS = "simfs";

    static final String TRACE = System.getProperty("gfs2j.sim.trace");
    static final long TOSS = 300;
    static final long TICK = 50;
    long tosses;
    private long quiesceAt = Long.MAX_VALUE;
    final long seed;
    final Random rnd;
    final int nodes;
    final Map<Integer, LockspaceCore> cores = new TreeMap<>();
    final Set<Integer> dead = new HashSet<>();
    final List<Agent> agents = new ArrayList<>();
    final String[] resources;
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private long now;
    private long eventSeq;
    private final int maxDelay;
    long opsIssued;
    long completions;
    long basts;
    long steps;
    boolean quiescing;
    // value block model per resource
    final Map<String, byte[]> modelValue = new HashMap<>();
    private int valueCounter;
    /** Resources mastered by a crashed node: if no survivor held a lock, the value is gone (reads as zeros). */
    final Set<String> lostMaster = new HashSet<>();

    SimCluster(long seed, int nodes, int agentsPerNode, int resourceCount, int maxDelay) {
        this.seed = seed;
        this.rnd = new Random(seed);
        this.nodes = nodes;
        this.maxDelay = maxDelay;
        resources = new String[resourceCount];
        for (int i = 0; i < resourceCount; i++) {
            resources[i] = String.format("%8x%16x", 2, 0x1000 + i);
        }
        List<Integer> ids = new ArrayList<>();
        for (int n = 1; n <= nodes; n++) {
            ids.add(n);
        }
        for (int n = 1; n <= nodes; n++) {
            int node = n;
            cores.put(n, new LockspaceCore(LS, n, ids, LVB, 1000 + n, env -> transmit(node, env), () -> now,
                    new MetricRegistry(), false));
        }
        cores.values().forEach(this::configure);
        scheduleTicks();
        for (int n = 1; n <= nodes; n++) {
            for (int a = 0; a < agentsPerNode; a++) {
                Agent ag = new Agent(n, agents.size());
                agents.add(ag);
                schedule(rnd.nextInt(10), ag::act);
            }
        }
    }

    /** Short toss period so idle resources come and go during a run; the value goes with them. */
    private void configure(LockspaceCore core) {
        core.setTossNanos(TOSS);
        core.onToss(n -> {
            tosses++;
            modelValue.remove(n.toString().substring(1, n.toString().length() - 1));
        });
    }

    private void scheduleTicks() {
        schedule(TICK, () -> {
            for (var c : cores.entrySet()) {
                if (!dead.contains(c.getKey())) {
                    c.getValue().tick();
                }
            }
            if (!quiescing || now < quiesceAt + 20 * TOSS) {
                scheduleTicks();
            }
        });
    }

    String where() {
        return "seed=" + seed + " t=" + now + " step=" + steps;
    }

    void schedule(long delay, Runnable r) {
        events.add(new Event(now + delay, eventSeq++, r));
    }

    private void transmit(int from, Envelope env) {
        int to = env.getTo();
        LockspaceCore target = cores.get(to);
        // per-envelope random delay: a later envelope may overtake an earlier one on the same link
        schedule(1 + rnd.nextInt(maxDelay), () -> {
            if (dead.contains(to) || cores.get(to) != target) {
                return; // the receiver crashed (a restarted process never sees the old connection's data)
            }
            if (TRACE != null) {
                System.out.println("t=" + now + " deliver " + from + "->" + to + " seq " + env.getSeq() + " "
                        + env.getBody().toString().replace('\n', ' '));
            }
            target.receive(env);
        });
    }

    /** Restarts crashed {@code node} at {@code time} as a new incarnation that joins; members are told it joined. */
    void restartAt(long time, int node, int agentsPerNode) {
        events.add(new Event(time, eventSeq++, () -> {
            List<Integer> ids = new ArrayList<>(cores.keySet());
            cores.put(node, new LockspaceCore(LS, node, ids, LVB, 5000 + node + time, env -> transmit(node, env), () -> now,
                    new MetricRegistry(), true));
            configure(cores.get(node));
            dead.remove(node);
            for (int a = 0; a < agentsPerNode; a++) {
                Agent ag = new Agent(node, agents.size());
                agents.add(ag);
                schedule(rnd.nextInt(10), ag::act);
            }
            for (int n : cores.keySet()) {
                if (n != node && !dead.contains(n)) {
                    schedule(1 + rnd.nextInt(60), () -> cores.get(n).nodeJoined(node));
                }
            }
        }));
    }

    /** Runs until no events remain or the limit is hit; checks invariants after every event. */
    void run(long maxSteps) {
        while (!events.isEmpty()) {
            Event e = events.poll();
            now = e.time;
            e.action.run();
            for (var c : cores.entrySet()) {
                if (!dead.contains(c.getKey())) {
                    c.getValue().deliverCallbacks();
                }
            }
            steps++;
            checkInvariants();
            if (steps > maxSteps) {
                fail("simulation did not quiesce; " + where() + "\n" + dumpAll());
            }
        }
    }

    void stopIssuingAt(long time) {
        events.add(new Event(time, eventSeq++, () -> {
            quiescing = true;
            quiesceAt = now;
        }));
    }

    /** Crashes {@code victim} at {@code time}; survivors are told it left, then that it was fenced. */
    void crashAt(long time, int victim) {
        events.add(new Event(time, eventSeq++, () -> {
            dead.add(victim);
            for (ResourceName r : cores.get(victim).masteredNames()) {
                lostMaster.add(r.toString());
            }
            for (Agent a : agents) {
                if (a.node == victim) {
                    a.dead = true;
                }
            }
            for (int n : cores.keySet()) {
                if (dead.contains(n)) {
                    continue;
                }
                schedule(1 + rnd.nextInt(40), () -> cores.get(n).nodeLeft(victim));
                schedule(60 + rnd.nextInt(60), () -> cores.get(n).nodeFenced(victim));
            }
        }));
    }

    // ------------------------------------------------------------------ invariants

    void checkInvariants() {
        // holder views of live nodes: granted modes per resource pairwise compatible
        Map<ResourceName, List<String>> byRes = new HashMap<>();
        for (Agent a : agents) {
            if (a.dead || a.lkid == 0) {
                continue;
            }
            LockMode m = cores.get(a.node).holderGrantedModes().get(a.lkid);
            if (m != null) {
                byRes.computeIfAbsent(ResourceName.of(a.resource), k -> new ArrayList<>()).add(m + "@" + a.node + "/" + a.lkid);
            }
        }
        for (var e : byRes.entrySet()) {
            checkCompatible("holders of " + e.getKey(), e.getValue());
        }
        for (var core : cores.entrySet()) {
            if (dead.contains(core.getKey())) {
                continue;
            }
            for (var e : core.getValue().masterGrantedModes().entrySet()) {
                List<String> modes = new ArrayList<>();
                e.getValue().forEach(m -> modes.add(m + "@master" + core.getKey()));
                checkCompatible("master view of " + e.getKey(), modes);
            }
        }
    }

    private void checkCompatible(String what, List<String> grants) {
        for (int i = 0; i < grants.size(); i++) {
            for (int j = i + 1; j < grants.size(); j++) {
                LockMode a = LockMode.valueOf(grants.get(i).substring(0, 2));
                LockMode b = LockMode.valueOf(grants.get(j).substring(0, 2));
                if (!a.compatibleWith(b)) {
                    fail("incompatible grants on " + what + ": " + grants + "; " + where() + "\n" + dumpAll());
                }
            }
        }
    }

    /** After quiescing: every operation of a live client completed and no lock is left. */
    void checkFinished() {
        for (Agent a : agents) {
            if (a.dead) {
                continue;
            }
            assertEquals(null, a.pending, "agent " + a.id + " on node " + a.node + " still waits for " + a.pending + "; " + where() + "\n" + dumpAll());
            assertEquals(0, a.lkid, "agent " + a.id + " still holds lock; " + where());
        }
        for (var core : cores.entrySet()) {
            if (dead.contains(core.getKey())) {
                continue;
            }
            assertTrue(core.getValue().isRunning(), "node " + core.getKey() + " not running; " + where());
            assertTrue(core.getValue().holderGrantedModes().isEmpty(), "node " + core.getKey() + " has locks left; " + where());
            for (var e : core.getValue().masterGrantedModes().entrySet()) {
                assertTrue(e.getValue().isEmpty(), "master " + core.getKey() + " still has grants on " + e.getKey() + "; " + where());
            }
        }
    }

    String dumpAll() {
        StringBuilder sb = new StringBuilder();
        for (var c : cores.entrySet()) {
            sb.append(dead.contains(c.getKey()) ? "(dead) " : "").append(c.getValue().dump());
        }
        return sb.toString();
    }

    byte[] newValue(int agent) {
        byte[] v = new byte[LVB];
        ByteBuffer.wrap(v).putInt(0x01161970).putInt(agent).putLong(++valueCounter);
        return v;
    }

    // ------------------------------------------------------------------ clients

    enum Pending { REQUEST, CONVERT, UNLOCK }

    /** One client: holds at most one lock at a time and acts randomly on it. */
    final class Agent implements LockCallbacks {
        final int node;
        final int id;
        boolean dead;
        int lkid;
        String resource;
        LockMode held;
        Pending pending;
        LockMode wanted;
        boolean releaseScheduled;
        boolean cancelSent;

        Agent(int node, int id) {
            this.node = node;
            this.id = id;
        }

        LockspaceCore core() {
            return cores.get(node);
        }

        void act() {
            if (dead || pending != null) {
                return;
            }
            releaseScheduled = false;
            if (lkid == 0) {
                if (quiescing) {
                    return;
                }
                requestNew();
            } else if (quiescing) {
                release(true);
            } else {
                int c = rnd.nextInt(10);
                if (c < 4) {
                    release(true);
                } else if (c < 7) {
                    release(false);
                } else {
                    upConvert();
                }
            }
        }

        private void requestNew() {
            resource = resources[rnd.nextInt(resources.length)];
            LockMode mode = LockMode.values()[rnd.nextInt(6)];
            int flags = LockFlags.VALBLK;
            int f = rnd.nextInt(20);
            if (f < 3) {
                flags |= LockFlags.NOQUEUE;
                if (f == 0) {
                    flags |= LockFlags.NOQUEUEBAST;
                }
            } else if (f == 3 && mode == LockMode.PR) {
                flags |= LockFlags.ALTCW;
            } else if (f == 4 && mode == LockMode.CW) {
                flags |= LockFlags.ALTPR;
            } else if (f == 5) {
                flags |= LockFlags.HEADQUE;
            } else if (f == 6 && mode == LockMode.NL) {
                flags |= LockFlags.EXPEDITE;
            }
            pending = Pending.REQUEST;
            wanted = mode;
            cancelSent = false;
            opsIssued++;
            lkid = core().lock(ResourceName.of(resource).bytes(), mode, flags, this);
            maybeCancelLater();
        }

        private void upConvert() {
            LockMode from = held;
            if (from == LockMode.EX) {
                release(false);
                return;
            }
            LockMode to;
            do {
                to = LockMode.values()[rnd.nextInt(6)];
            } while (!(to.code > from.code || (from == LockMode.PR && to == LockMode.CW)));
            int flags = LockFlags.VALBLK;
            int f = rnd.nextInt(10);
            if (f < 5) {
                flags |= LockFlags.QUECVT;
            } else if (f == 5) {
                flags |= LockFlags.NOQUEUE;
            } else if (f == 6) {
                flags |= LockFlags.CONVDEADLK;
            }
            pending = Pending.CONVERT;
            wanted = to;
            cancelSent = false;
            opsIssued++;
            core().convert(lkid, to, flags, null);
            maybeCancelLater();
        }

        private void maybeCancelLater() {
            if (pending != null && rnd.nextInt(8) == 0) {
                int id0 = lkid;
                schedule(rnd.nextInt(60), () -> {
                    if (!dead && pending != null && pending != Pending.UNLOCK && lkid == id0 && !cancelSent) {
                        cancelSent = true;
                        core().cancel(lkid);
                    }
                });
            }
        }

        /** Unlock ({@code unlock}) or down-convert, writing a fresh value from PW/EX. */
        void release(boolean unlock) {
            byte[] value = null;
            if (held.code >= LockMode.PW.code) {
                value = newValue(id);
            }
            if (unlock || held == LockMode.NL) {
                pending = Pending.UNLOCK;
                opsIssued++;
                if (value != null) {
                    modelValue.put(resource, value);
                }
                if (TRACE != null) {
                    System.out.println("t=" + now + " agent " + id + " node " + node + " unlock " + lkid + " " + resource + " from " + held + " value " + (value == null ? "-" : Hex.of(value).substring(0, 16)));
                }
                core().unlock(lkid, LockFlags.VALBLK, value);
                return;
            }
            LockMode to = LockMode.values()[rnd.nextInt(held.code)];
            if (LockMode.isMiddle(held, to)) {
                to = LockMode.NL;
            }
            pending = Pending.CONVERT;
            wanted = to;
            opsIssued++;
            if (value != null) {
                modelValue.put(resource, value);
            }
            if (TRACE != null) {
                System.out.println("t=" + now + " agent " + id + " node " + node + " down " + lkid + " " + resource + " " + held + "->" + to + " value " + (value == null ? "-" : Hex.of(value).substring(0, 16)));
            }
            try {
                core().convert(lkid, to, LockFlags.VALBLK, value);
            } catch (DlmException e) {
                fail("down-conversion refused: " + e + "; " + where());
            }
        }

        @Override
        public void completed(Completion c) {
            completions++;
            if (TRACE != null) {
                System.out.println("t=" + now + " agent " + id + " node " + node + " " + c + " lvb " + (c.lvb() == null ? "-" : Hex.of(c.lvb()).substring(0, 16)) + " model " + (resource == null ? "-" : Hex.of(modelValue.getOrDefault(resource, new byte[LVB])).substring(0, 16)));
            }
            assertEquals(lkid, c.lockId(), "completion for another lock; " + where());
            assertNotNull(pending, "completion with no operation pending: " + c + "; " + where());
            Pending op = pending;
            pending = null;
            switch (c.status()) {
                case DlmStatus.OK -> {
                    assertTrue(op != Pending.UNLOCK, "unlock completed with OK; " + where());
                    LockMode expect = wanted;
                    if ((c.sbFlags() & DlmStatus.SBF_ALTMODE) != 0) {
                        assertTrue(c.mode() == LockMode.PR || c.mode() == LockMode.CW, "alt mode " + c.mode());
                    } else {
                        assertEquals(expect, c.mode(), "granted mode; " + where());
                    }
                    // did this grant read the resource value (spec 1.9 table)? PR->CW, for one, does not
                    boolean read = Lvb.direction(op == Pending.REQUEST ? null : held, c.mode()) == 'R';
                    held = c.mode();
                    if (read && held.code >= LockMode.CW.code && !c.valueInvalid()) {
                        byte[] expected = modelValue.getOrDefault(resource, new byte[LVB]);
                        if (lostMaster.contains(ResourceName.of(resource).toString()) && java.util.Arrays.equals(c.lvb(), new byte[LVB])) {
                            expected = c.lvb(); // spec 3.4: new master, no surviving lock with VALBLK: no value
                        }
                        assertArrayEquals(expected, c.lvb(), "value block read on grant of " + held + " on " + resource
                                + " by agent " + id + " lock " + lkid + " node " + node + "; " + where() + "\n" + dumpAll());
                    }
                }
                case DlmStatus.EAGAIN, DlmStatus.EDEADLK -> {
                    if (op == Pending.REQUEST) {
                        forget();
                    } else {
                        held = c.mode();
                    }
                }
                case DlmStatus.ECANCEL -> {
                    assertTrue(cancelSent, "cancelled without a cancel; " + where());
                    if (op == Pending.REQUEST) {
                        forget();
                    } else {
                        held = c.mode();
                    }
                }
                case DlmStatus.EUNLOCK -> {
                    assertEquals(Pending.UNLOCK, op, "EUNLOCK for " + op + "; " + where());
                    forget();
                }
                default -> fail("unexpected status " + c + "; " + where());
            }
            if (!dead) {
                schedule(quiescing ? 1 : 1 + rnd.nextInt(30), this::act);
            }
        }

        private void forget() {
            lkid = 0;
            held = null;
            resource = null;
        }

        @Override
        public void blocking(int lockId, LockMode wantedByOther) {
            basts++;
            assertEquals(lkid, lockId, "blocking callback for another lock; " + where());
            assertNotNull(held, "blocking callback for a lock not granted; " + where());
            assertTrue(!wantedByOther.compatibleWith(held), "blocking callback " + wantedByOther + " compatible with held " + held + "; " + where());
            if (!releaseScheduled) {
                releaseScheduled = true;
                schedule(rnd.nextInt(5), this::act);
            }
        }
    }

    private record Event(long time, long seq, Runnable action) implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            return time != o.time ? Long.compare(time, o.time) : Long.compare(seq, o.seq);
        }
    }
}
