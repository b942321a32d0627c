package org.gfs2j.fs.glock;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.gfs2j.dlm.Completion;
import org.gfs2j.dlm.DlmException;
import org.gfs2j.dlm.DlmStatus;
import org.gfs2j.dlm.LockCallbacks;
import org.gfs2j.dlm.LockFlags;
import org.gfs2j.dlm.LockMode;
import org.gfs2j.dlm.Lockspace;

/**
 * A deterministic in-memory DLM shared by several fake "nodes" (one {@link Lockspace} each): one
 * master for everything, the compatibility matrix, grant/convert/wait queues, NOQUEUE (+BAST),
 * QUECVT, ALTPR/ALTCW, value blocks per spec 1.9, blocking callbacks with suppression. Callbacks are
 * queued and delivered, in order, on the calling thread after the call that caused them (never
 * re-entrantly), or held until {@link #deliver()} when {@link #holdCallbacks} is set.
 */
final class FakeDlm {
    final int lvbLength;
    /** Every lock call, in order: "n1 lock 2/1a EX", "n1 convert 2/1a EX->NL", ... */
    final List<String> log;
    private final Map<String, Res> resources = new TreeMap<>();
    private final Map<Integer, Lk> locks = new HashMap<>();
    private final ArrayDeque<Runnable> pending = new ArrayDeque<>();
    private int nextId = 1;
    private boolean delivering;
    boolean holdCallbacks;

    FakeDlm(int lvbLength, List<String> log) {
        this.lvbLength = lvbLength;
        this.log = log;
    }

    Lockspace node(int nodeId) {
        return LockspaceProxy.of(new Node(nodeId));
    }

    private static final class Res {
        final String name;
        final List<Lk> granted = new ArrayList<>();
        final List<Lk> converting = new ArrayList<>();
        final List<Lk> waiting = new ArrayList<>();
        byte[] lvb;
        boolean lvbInvalid;

        Res(String name) {
            this.name = name;
        }

        boolean empty() {
            return granted.isEmpty() && converting.isEmpty() && waiting.isEmpty();
        }
    }

    private static final class Lk {
        final int id;
        final int node;
        final Res res;
        final LockCallbacks cb;
        LockMode grantedMode;
        LockMode requestedMode;
        int flags;
        byte[] lvbIn;
        LockMode bastSent;

        Lk(int id, int node, Res res, LockCallbacks cb) {
            this.id = id;
            this.node = node;
            this.res = res;
            this.cb = cb;
        }
    }

    /** Delivers held callbacks; returns how many. */
    int deliver() {
        int n = 0;
        while (true) {
            Runnable r;
            synchronized (this) {
                r = pending.poll();
                if (r == null) {
                    delivering = false;
                    return n;
                }
                delivering = true;
            }
            r.run();
            n++;
        }
    }

    synchronized int pendingCallbacks() {
        return pending.size();
    }

    private void afterCall() {
        synchronized (this) {
            if (delivering || holdCallbacks) {
                return;
            }
        }
        deliver();
    }

    /** Granted mode of {@code node}'s lock on a glock resource, or null. */
    synchronized LockMode grantedMode(int node, GlockName name) {
        Res r = resources.get(resName(name.resourceName()));
        if (r == null) {
            return null;
        }
        for (Lk l : r.granted) {
            if (l.node == node) {
                return l.grantedMode;
            }
        }
        for (Lk l : r.converting) {
            if (l.node == node) {
                return l.grantedMode;
            }
        }
        return null;
    }

    synchronized int lockCount() {
        return locks.size();
    }

    synchronized byte[] resourceValue(GlockName name) {
        Res r = resources.get(resName(name.resourceName()));
        return r == null || r.lvb == null ? null : r.lvb.clone();
    }

    /** Marks a resource's value invalid, as DLM recovery does when a PW/EX holder died. */
    synchronized void invalidateValue(GlockName name) {
        Res r = resources.get(resName(name.resourceName()));
        r.lvbInvalid = true;
    }

    private static String resName(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static String glockOf(Res r) {
        try {
            return GlockName.parse(r.name.getBytes(StandardCharsets.ISO_8859_1)).toString();
        } catch (IllegalArgumentException e) {
            return r.name;
        }
    }

    // ------------------------------------------------------------------ core

    private boolean compatibleWithOthers(Res r, Lk self, LockMode mode) {
        for (Lk l : r.granted) {
            if (l != self && !mode.compatibleWith(l.grantedMode)) {
                return false;
            }
        }
        for (Lk l : r.converting) {
            if (l != self && !mode.compatibleWith(l.grantedMode)) {
                return false;
            }
        }
        return true;
    }

    private void complete(Lk l, int status, int sb) {
        LockMode mode = l.grantedMode;
        byte[] lvb = LockFlags.has(l.flags, LockFlags.VALBLK) && l.lvbIn != null ? l.lvbIn.clone() : null;
        int id = l.id;
        pending.add(() -> l.cb.completed(new Completion(id, status, sb, mode, lvb)));
    }

    /** Grants {@code l} in {@code mode}, moving the value per the 1.9 table. */
    private void grant(Lk l, LockMode mode, int sb) {
        Res r = l.res;
        LockMode old = l.grantedMode;
        if (LockFlags.has(l.flags, LockFlags.VALBLK)) {
            boolean write = old != null && (old == LockMode.PW || old == LockMode.EX) && !(old == LockMode.PW && mode == LockMode.EX);
            if (write) {
                r.lvb = l.lvbIn == null ? new byte[lvbLength] : l.lvbIn.clone();
                r.lvbInvalid = false;
            } else {
                boolean read = old == null || old == LockMode.NL || (mode.code >= old.code && !LockMode.isMiddle(old, mode)) || (old == LockMode.CW && mode == LockMode.PR);
                if (read) {
                    l.lvbIn = r.lvb == null ? new byte[lvbLength] : r.lvb.clone();
                    if (r.lvbInvalid) {
                        sb |= DlmStatus.SBF_VALNOTVALID;
                    }
                }
            }
        }
        r.converting.remove(l);
        r.waiting.remove(l);
        if (!r.granted.contains(l)) {
            r.granted.add(l);
        }
        l.grantedMode = mode;
        l.requestedMode = null;
        l.bastSent = null;
        complete(l, DlmStatus.OK, sb);
    }

    private void rescan(Res r) {
        boolean again = true;
        while (again) {
            again = false;
            for (Lk l : new ArrayList<>(r.converting)) {
                boolean first = r.converting.get(0) == l;
                if (compatibleWithOthers(r, l, l.requestedMode) && (first || LockFlags.has(l.flags, LockFlags.NOORDER))) {
                    grant(l, l.requestedMode, 0);
                    again = true;
                    break;
                }
            }
        }
        if (r.converting.isEmpty()) {
            for (Lk l : new ArrayList<>(r.waiting)) {
                boolean first = r.waiting.get(0) == l;
                if (compatibleWithOthers(r, l, l.requestedMode) && first) {
                    grant(l, l.requestedMode, 0);
                } else {
                    break;
                }
            }
        }
        sendBasts(r);
        if (r.empty()) {
            resources.remove(r.name);
        }
    }

    private void sendBasts(Res r) {
        List<Lk> blocked = new ArrayList<>(r.converting);
        blocked.addAll(r.waiting);
        for (Lk b : blocked) {
            bastBlockers(r, b, b.requestedMode, false);
        }
    }

    private void bastBlockers(Res r, Lk req, LockMode mode, boolean includeConverting) {
        List<Lk> cands = new ArrayList<>(r.granted);
        if (includeConverting) {
            cands.addAll(r.converting);
        }
        for (Lk l : cands) {
            if (l == req || mode.compatibleWith(l.grantedMode)) {
                continue;
            }
            if (LockMode.bastCovers(l.bastSent, mode)) {
                continue;
            }
            l.bastSent = mode;
            int id = l.id;
            pending.add(() -> l.cb.blocking(id, mode));
        }
    }

    /** Spec 1.4: a queued converter ahead wants a mode incompatible with this lock's granted mode. */
    private static boolean conversionDeadlock(Res r, Lk l) {
        for (Lk other : r.converting) {
            if (!other.requestedMode.compatibleWith(l.grantedMode)) {
                return true;
            }
        }
        return false;
    }

    private boolean tryAlt(Res r, Lk l, LockMode mode) {
        LockMode alt = null;
        if (LockFlags.has(l.flags, LockFlags.ALTPR)) {
            alt = LockMode.PR;
        } else if (LockFlags.has(l.flags, LockFlags.ALTCW)) {
            alt = LockMode.CW;
        }
        if (alt != null && compatibleWithOthers(r, l, alt)) {
            grant(l, alt, DlmStatus.SBF_ALTMODE);
            return true;
        }
        return false;
    }

    /** One node's view; made a {@link Lockspace} by {@link LockspaceProxy}. */
    private final class Node {
        final int id;

        Node(int id) {
            this.id = id;
        }

        public String name() {
            return "fake";
        }

        public int lvbLength() {
            return lvbLength;
        }

        public int lock(byte[] resource, LockMode mode, int flags, LockCallbacks callbacks) {
            int lkid;
            synchronized (FakeDlm.this) {
                if (LockFlags.has(flags, LockFlags.CONVERT) || LockFlags.has(flags, LockFlags.QUECVT)) {
                    throw new DlmException(DlmStatus.EINVAL, "CONVERT/QUECVT on a new lock");
                }
                String rn = resName(resource);
                Res r = resources.computeIfAbsent(rn, Res::new);
                Lk l = new Lk(nextId++, id, r, callbacks);
                lkid = l.id;
                locks.put(l.id, l);
                l.flags = flags;
                log.add("n" + id + " lock " + glockOf(r) + " " + mode);
                boolean queuesEmpty = r.converting.isEmpty() && r.waiting.isEmpty();
                if (compatibleWithOthers(r, l, mode) && (queuesEmpty || LockFlags.has(flags, LockFlags.NOORDER))) {
                    grant(l, mode, 0);
                } else if (!tryAlt(r, l, mode)) {
                    if (LockFlags.has(flags, LockFlags.NOQUEUE)) {
                        if (LockFlags.has(flags, LockFlags.NOQUEUEBAST)) {
                            bastBlockers(r, l, mode, true);
                        }
                        locks.remove(l.id);
                        complete(l, DlmStatus.EAGAIN, 0);
                    } else {
                        l.requestedMode = mode;
                        if (LockFlags.has(flags, LockFlags.HEADQUE)) {
                            r.waiting.add(0, l);
                        } else {
                            r.waiting.add(l);
                        }
                    }
                }
                rescan(r);
            }
            afterCall();
            return lkid;
        }

        public void convert(int lockId, LockMode mode, int flags, byte[] lvb) {
            synchronized (FakeDlm.this) {
                Lk l = locks.get(lockId);
                if (l == null || l.node != id) {
                    throw new DlmException(DlmStatus.EINVAL, "no lock " + lockId);
                }
                if (l.requestedMode != null) {
                    throw new DlmException(DlmStatus.EBUSY, "lock " + lockId + " has an operation in flight");
                }
                Res r = l.res;
                l.flags = flags;
                if (lvb != null) {
                    l.lvbIn = lvb.clone();
                }
                log.add("n" + id + " convert " + glockOf(r) + " " + l.grantedMode + "->" + mode);
                boolean down = l.grantedMode.isDownTo(mode) || l.grantedMode == mode;
                if (down) {
                    grant(l, mode, 0);
                } else if (compatibleWithOthers(r, l, mode)
                        && (!LockFlags.has(flags, LockFlags.QUECVT) || r.converting.isEmpty())) {
                    grant(l, mode, 0);
                } else if (!tryAlt(r, l, mode)) {
                    if (LockFlags.has(flags, LockFlags.NOQUEUE)) {
                        if (LockFlags.has(flags, LockFlags.NOQUEUEBAST)) {
                            bastBlockers(r, l, mode, true);
                        }
                        complete(l, DlmStatus.EAGAIN, 0);
                    } else if (conversionDeadlock(r, l)) {
                        complete(l, DlmStatus.EDEADLK, 0);
                    } else {
                        l.requestedMode = mode;
                        r.granted.remove(l);
                        if (LockFlags.has(flags, LockFlags.HEADQUE)) {
                            r.converting.add(0, l);
                        } else {
                            r.converting.add(l);
                        }
                    }
                }
                rescan(r);
            }
            afterCall();
        }

        public void unlock(int lockId, int flags, byte[] lvb) {
            synchronized (FakeDlm.this) {
                Lk l = locks.get(lockId);
                if (l == null || l.node != id) {
                    throw new DlmException(DlmStatus.EINVAL, "no lock " + lockId);
                }
                if (l.requestedMode != null) {
                    throw new DlmException(DlmStatus.EBUSY, "lock " + lockId + " has an operation in flight");
                }
                Res r = l.res;
                log.add("n" + id + " unlock " + glockOf(r) + " " + l.grantedMode);
                if (LockFlags.has(flags, LockFlags.VALBLK) && lvb != null
                        && (l.grantedMode == LockMode.PW || l.grantedMode == LockMode.EX)) {
                    r.lvb = lvb.clone();
                    r.lvbInvalid = false;
                }
                r.granted.remove(l);
                locks.remove(lockId);
                l.grantedMode = null;
                pending.add(() -> l.cb.completed(new Completion(lockId, DlmStatus.EUNLOCK, 0, null, null)));
                rescan(r);
            }
            afterCall();
        }

        public void cancel(int lockId) {
            synchronized (FakeDlm.this) {
                Lk l = locks.get(lockId);
                if (l == null || l.requestedMode == null) {
                    return;
                }
                Res r = l.res;
                log.add("n" + id + " cancel " + glockOf(r));
                l.requestedMode = null;
                if (r.converting.remove(l)) {
                    r.granted.add(l);
                } else {
                    r.waiting.remove(l);
                    locks.remove(lockId);
                }
                LockMode mode = l.grantedMode;
                pending.add(() -> l.cb.completed(new Completion(lockId, DlmStatus.ECANCEL, 0, mode, null)));
                rescan(r);
            }
            afterCall();
        }

        public String dump() {
            synchronized (FakeDlm.this) {
                StringBuilder b = new StringBuilder();
                for (Res r : resources.values()) {
                    b.append(glockOf(r)).append(':');
                    for (Lk l : r.granted) {
                        b.append(" n").append(l.node).append('=').append(l.grantedMode);
                    }
                    b.append('\n');
                }
                return b.toString();
            }
        }
    }

    @Override
    public String toString() {
        return Arrays.toString(resources.keySet().toArray());
    }
}
