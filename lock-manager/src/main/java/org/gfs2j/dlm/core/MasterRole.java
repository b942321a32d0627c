package org.gfs2j.dlm.core;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.gfs2j.dlm.DlmStatus;
import org.gfs2j.dlm.LockFlags;
import org.gfs2j.dlm.LockMode;
import org.gfs2j.dlm.proto.DlmMessage;
import org.gfs2j.dlm.proto.MsgType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master role of one node in one lockspace: the resources it masters, their queues and value
 * blocks, the grant rules applied to requests, conversions, unlocks and cancels, blocking
 * callbacks, and the master's part of recovery (value recovery, deadlocks in rebuilt queues).
 * Replies and grants leave through the owning {@link LockspaceCore}.
 */
final class MasterRole {
    private static final Logger LOG = LoggerFactory.getLogger(MasterRole.class);

    /** Where the master's messages go (the core: local queue or transport). */
    interface Outbox {
        void send(int node, DlmMessage.Builder message);
    }

    final TreeMap<ResourceName, MasterResource> mastered = new TreeMap<>();
    final Map<Long, MasterLock> masterLocks = new HashMap<>();
    private final String name;
    private final int self;
    private final int lvbLen;
    private final DlmMetrics metrics;
    private final Outbox outbox;

    MasterRole(String name, int self, int lvbLen, DlmMetrics metrics, Outbox outbox) {
        this.name = name;
        this.self = self;
        this.lvbLen = lvbLen;
        this.metrics = metrics;
        this.outbox = outbox;
    }

    private void send(int node, DlmMessage.Builder m) {
        outbox.send(node, m);
    }

    MasterResource resource(ResourceName n) {
        return mastered.computeIfAbsent(n, k -> new MasterResource(k, lvbLen));
    }

    void request(int from, DlmMessage m) {
        ResourceName n = ResourceName.wrap(m.getName().toByteArray());
        MasterResource r = mastered.get(n);
        if (r == null) {
            if (from != self) {
                // not (or no longer) master: the sender's cached master is stale, or it overtook our
                // own lookup reply; it asks the directory again
                send(from, DlmMessage.newBuilder().setType(MsgType.REQUEST_REPLY).setLkid(m.getLkid()).setStatus(DlmStatus.EBADR));
                return;
            }
            r = resource(n);
        }
        MasterLock lk = new MasterLock(from, m.getLkid(), r);
        lk.requested = LockMode.ofCode(m.getMode());
        lk.flags = m.getFlags();
        lk.valblk = LockFlags.has(lk.flags, LockFlags.VALBLK);
        LockMode g = r.grantableMode(lk, false, true, false);
        DlmMessage.Builder reply = DlmMessage.newBuilder().setType(MsgType.REQUEST_REPLY).setLkid(lk.lkid);
        if (g != null) {
            masterLocks.put(lk.key(), lk);
            r.granted.add(lk);
            grantFields(r, lk, null, g, reply, null);
            send(from, reply.setStatus(DlmStatus.OK));
        } else if (LockFlags.has(lk.flags, LockFlags.NOQUEUE)) {
            send(from, reply.setStatus(DlmStatus.EAGAIN));
            if (LockFlags.has(lk.flags, LockFlags.NOQUEUEBAST)) {
                bastIncompatible(r, lk, lk.requested, true);
            }
        } else {
            masterLocks.put(lk.key(), lk);
            if (LockFlags.has(lk.flags, LockFlags.HEADQUE)) {
                r.waiting.add(0, lk);
            } else {
                r.waiting.add(lk);
            }
            metrics.queueLength.update(r.queued());
            send(from, reply.setStatus(DlmStatus.EINPROGRESS));
            bastIncompatible(r, lk, lk.requested, false);
        }
    }

    void convert(int from, DlmMessage m) {
        MasterLock lk = masterLocks.get(MasterLock.key(from, m.getLkid()));
        if (lk == null || lk.granted == null) {
            LOG.warn("{}: node {} converts unknown lock {}", name, from, m.getLkid());
            return;
        }
        MasterResource r = lk.resource;
        LockMode mode = LockMode.ofCode(m.getMode());
        int flags = m.getFlags();
        lk.valblk |= LockFlags.has(flags, LockFlags.VALBLK);
        if (lk.granted.isDownTo(mode)) {
            if (LockFlags.has(flags, LockFlags.VALBLK) && Lvb.direction(lk.granted, mode) == 'W') {
                writeLvb(r, lk, flags, m.getHasLvb() ? m.getLvb().toByteArray() : null);
            }
            lk.granted = mode;
            grantPending(r, false);
            return; // down-conversions get no reply
        }
        lk.requested = mode;
        lk.flags = flags;
        lk.pendingWrite = m.getHasLvb() ? m.getLvb().toByteArray() : null;
        DlmMessage.Builder reply = DlmMessage.newBuilder().setType(MsgType.CONVERT_REPLY).setLkid(lk.lkid);
        LockMode g = r.grantableMode(lk, true, true, false);
        if (g != null) {
            LockMode old = lk.granted;
            grantFields(r, lk, old, g, reply, lk.pendingWrite);
            send(from, reply.setStatus(DlmStatus.OK));
            grantPending(r, false);
            return;
        }
        if (LockFlags.has(flags, LockFlags.NOQUEUE)) {
            lk.requested = null;
            send(from, reply.setStatus(DlmStatus.EAGAIN));
            if (LockFlags.has(flags, LockFlags.NOQUEUEBAST)) {
                bastIncompatible(r, lk, mode, true);
            }
            return;
        }
        int sb = 0;
        boolean bastSelf = false;
        if (r.conversionDeadlock(lk)) {
            if (LockFlags.has(flags, LockFlags.CONVDEADLK)) {
                lk.granted = LockMode.NL;
                sb |= DlmStatus.SBF_DEMOTED;
                g = r.grantableMode(lk, true, true, false);
                if (g != null) {
                    grantFields(r, lk, LockMode.NL, g, reply, null);
                    send(from, reply.setStatus(DlmStatus.OK).setSbflags(reply.getSbflags() | sb));
                    grantPending(r, false);
                    return;
                }
            } else if (LockFlags.has(flags, LockFlags.NODLCKWT)) {
                bastSelf = true;
            } else {
                lk.requested = null;
                send(from, reply.setStatus(DlmStatus.EDEADLK));
                return;
            }
        }
        r.granted.remove(lk);
        if (LockFlags.has(flags, LockFlags.HEADQUE)) {
            r.converting.add(0, lk);
        } else {
            r.converting.add(lk);
        }
        metrics.queueLength.update(r.queued());
        send(from, reply.setStatus(DlmStatus.EINPROGRESS).setSbflags(sb));
        if (bastSelf) {
            bast(lk, mode);
        }
        bastIncompatible(r, lk, mode, false);
        if (sb != 0) {
            grantPending(r, false);
        }
    }

    void unlock(int from, DlmMessage m) {
        MasterLock lk = masterLocks.remove(MasterLock.key(from, m.getLkid()));
        if (lk != null) {
            MasterResource r = lk.resource;
            if (LockFlags.has(m.getFlags(), LockFlags.VALBLK) && lk.granted != null && lk.granted.code >= LockMode.PW.code) {
                writeLvb(r, lk, m.getFlags(), m.getHasLvb() ? m.getLvb().toByteArray() : null);
            }
            r.remove(lk);
            send(from, DlmMessage.newBuilder().setType(MsgType.UNLOCK_REPLY).setLkid(m.getLkid()).setStatus(DlmStatus.EUNLOCK));
            grantPending(r, false);
            return;
        }
        send(from, DlmMessage.newBuilder().setType(MsgType.UNLOCK_REPLY).setLkid(m.getLkid()).setStatus(DlmStatus.EUNLOCK));
    }

    void cancel(int from, DlmMessage m) {
        MasterLock lk = masterLocks.get(MasterLock.key(from, m.getLkid()));
        int status = 0;
        if (lk != null) {
            MasterResource r = lk.resource;
            if (r.waiting.remove(lk)) {
                masterLocks.remove(lk.key());
                status = DlmStatus.ECANCEL;
            } else if (r.converting.remove(lk)) {
                lk.requested = null;
                r.granted.add(lk);
                status = DlmStatus.ECANCEL;
            }
            send(from, DlmMessage.newBuilder().setType(MsgType.CANCEL_REPLY).setLkid(m.getLkid()).setStatus(status));
            if (status != 0) {
                grantPending(r, false);
            }
            return;
        }
        send(from, DlmMessage.newBuilder().setType(MsgType.CANCEL_REPLY).setLkid(m.getLkid()).setStatus(status));
    }

    /** Moves a lock to {@code mode}, applies the value block transfer, fills the grant message. */
    private void grantFields(MasterResource r, MasterLock lk, LockMode old, LockMode mode, DlmMessage.Builder out, byte[] write) {
        int sb = 0;
        if (mode != lk.requested) {
            sb |= DlmStatus.SBF_ALTMODE;
        }
        if (LockFlags.has(lk.flags, LockFlags.VALBLK)) {
            char dir = Lvb.direction(old, mode);
            if (dir == 'R') {
                lk.lvbSeq = r.lvbSeq;
                out.setHasLvb(true).setLvb(ByteString.copyFrom(r.lvb)).setLvbSeq(r.lvbSeq);
                if (r.lvbInvalid) {
                    sb |= DlmStatus.SBF_VALNOTVALID;
                }
            } else if (dir == 'W') {
                writeLvb(r, lk, lk.flags, write);
            }
        }
        lk.granted = mode;
        lk.requested = null;
        lk.pendingWrite = null;
        lk.lastBast = null;
        out.setMode(mode.code).setSbflags(out.getSbflags() | sb);
        metrics.grants.mark();
    }

    private void writeLvb(MasterResource r, MasterLock lk, int flags, byte[] value) {
        if (LockFlags.has(flags, LockFlags.IVVALBLK)) {
            r.lvbInvalid = true;
            return;
        }
        if (value == null) {
            return;
        }
        r.lvb = value.clone();
        r.lvbSeq++;
        r.lvbInvalid = false;
        lk.lvbSeq = r.lvbSeq;
    }

    /** Re-scan after an unlock, cancel or conversion: conversions first, then waiters, then BASTs. */
    void grantPending(MasterResource r, boolean ignoreConversionOrder) {
        boolean progress = true;
        while (progress) {
            progress = false;
            for (MasterLock lk : new ArrayList<>(r.converting)) {
                LockMode g = r.grantableMode(lk, true, false, ignoreConversionOrder);
                if (g != null) {
                    r.converting.remove(lk);
                    r.granted.add(lk);
                    sendGrant(r, lk, lk.granted, g);
                    progress = true;
                    break;
                }
            }
            if (!progress && r.converting.isEmpty()) {
                for (MasterLock lk : new ArrayList<>(r.waiting)) {
                    LockMode g = r.grantableMode(lk, false, false, false);
                    if (g != null) {
                        r.waiting.remove(lk);
                        r.granted.add(lk);
                        sendGrant(r, lk, null, g);
                        progress = true;
                        break;
                    }
                }
            }
        }
        for (MasterLock blocked : r.converting) {
            bastIncompatible(r, blocked, blocked.requested, false);
        }
        for (MasterLock blocked : r.waiting) {
            bastIncompatible(r, blocked, blocked.requested, false);
        }
    }

    void sendGrant(MasterResource r, MasterLock lk, LockMode old, LockMode g) {
        DlmMessage.Builder grant = DlmMessage.newBuilder().setType(MsgType.GRANT).setLkid(lk.lkid).setStatus(DlmStatus.OK);
        grantFields(r, lk, old, g, grant, lk.pendingWrite);
        send(lk.node, grant);
    }

    /** BASTs to the granted locks whose mode is incompatible with {@code mode} (also converting ones if asked). */
    private void bastIncompatible(MasterResource r, MasterLock requester, LockMode mode, boolean includeConverting) {
        for (MasterLock g : r.granted) {
            if (g != requester && !mode.compatibleWith(g.granted)) {
                bast(g, mode);
            }
        }
        if (includeConverting) {
            for (MasterLock g : r.converting) {
                if (g != requester && !mode.compatibleWith(g.granted)) {
                    bast(g, mode);
                }
            }
        }
    }

    private void bast(MasterLock g, LockMode mode) {
        if (LockMode.bastCovers(g.lastBast, mode)) {
            return;
        }
        g.lastBast = mode;
        send(g.node, DlmMessage.newBuilder().setType(MsgType.BAST).setLkid(g.lkid).setMode(mode.code));
    }

    /**
     * A rebuilt convert queue can hold a deadlock the old master never saw (e.g. a PR-&gt;CW
     * conversion that was in flight joins one already queued). Later conversions that deadlock
     * with one ahead are refused with EDEADLK, as they would have been when queued.
     */
    void resolveConversionDeadlocks(MasterResource r) {
        for (int i = 1; i < r.converting.size(); i++) {
            MasterLock lk = r.converting.get(i);
            boolean deadlock = false;
            for (int j = 0; j < i; j++) {
                if (!lk.granted.compatibleWith(r.converting.get(j).requested)) {
                    deadlock = true;
                    break;
                }
            }
            if (deadlock) {
                r.converting.remove(i--);
                r.granted.add(lk);
                lk.requested = null;
                send(lk.node, DlmMessage.newBuilder().setType(MsgType.CONVERT_REPLY).setLkid(lk.lkid).setStatus(DlmStatus.EDEADLK));
            }
        }
    }

    /** Spec 3.4: the value of a remastered resource comes from the survivors' copies. */
    void recoverLvb(MasterResource r) {
        MasterLock best = null;
        boolean bestAboveCr = false;
        for (MasterLock lk : allLocks(r)) {
            if (!lk.valblk) {
                continue;
            }
            boolean aboveCr = lk.granted != null && lk.granted.code > LockMode.CR.code;
            if (best == null || (aboveCr && !bestAboveCr) || (aboveCr == bestAboveCr && lk.lvbSeq > best.lvbSeq)) {
                best = lk;
                bestAboveCr = aboveCr;
            }
        }
        if (best == null) {
            r.lvb = new byte[lvbLen];
            r.lvbInvalid = true;
        } else {
            r.lvb = best.recoveredLvb.clone();
            r.lvbSeq = best.lvbSeq;
            r.lvbInvalid = !bestAboveCr;
        }
        for (MasterLock lk : allLocks(r)) {
            lk.recoveredLvb = null;
        }
    }

    static List<MasterLock> allLocks(MasterResource r) {
        List<MasterLock> all = new ArrayList<>(r.granted);
        all.addAll(r.converting);
        all.addAll(r.waiting);
        return all;
    }

    /**
     * Resources without any lock for {@code tossNanos} are dropped (value included, as when the
     * last lock anywhere goes); returns their names so the directory can be told.
     */
    List<ResourceName> toss(long now, long tossNanos) {
        List<ResourceName> gone = new ArrayList<>();
        for (var it = mastered.values().iterator(); it.hasNext(); ) {
            MasterResource r = it.next();
            if (!r.isEmpty() || r.rebuiltPending) {
                r.idleSinceNanos = -1;
            } else if (r.idleSinceNanos < 0) {
                r.idleSinceNanos = now;
            } else if (now - r.idleSinceNanos >= tossNanos) {
                it.remove();
                gone.add(r.name);
            }
        }
        return gone;
    }
}
