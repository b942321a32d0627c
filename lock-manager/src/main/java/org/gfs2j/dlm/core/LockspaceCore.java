package org.gfs2j.dlm.core;

import com.codahale.metrics.MetricRegistry;
import com.google.protobuf.ByteString;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.gfs2j.dlm.Completion;
import org.gfs2j.dlm.DlmException;
import org.gfs2j.dlm.DlmStatus;
import org.gfs2j.dlm.LockCallbacks;
import org.gfs2j.dlm.LockFlags;
import org.gfs2j.dlm.LockMode;
import org.gfs2j.dlm.Lockspace;
import org.gfs2j.dlm.RecoveryListener;
import org.gfs2j.dlm.proto.DlmMessage;
import org.gfs2j.dlm.proto.Envelope;
import org.gfs2j.dlm.proto.LockCopy;
import org.gfs2j.dlm.proto.MsgType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deterministic DLM state machine of one lockspace on one node. It has no threads and no I/O:
 * it is fed API calls, received envelopes and membership events, all from one thread, and puts
 * messages on an injected {@link Transport} and completions/blocking callbacks on its callers'
 * {@link LockCallbacks}. Time comes from an injected clock and is used for metrics only.
 *
 * <p>Roles (spec section 2): every node is a holder of its own locks, the directory node for the
 * names that hash to it, and the master of the resources it was first to ask for. Messages to
 * itself go through a local queue, never the transport, so a resource mastered here is locked
 * with no message at all. Per-sender FIFO order is restored here from sequence numbers, so the
 * transport may reorder.
 *
 * <p>Recovery (spec section 3): {@link #nodeLeft} stops the lockspace; once every departed node is
 * reported fenced the survivors run a pass tagged with a membership epoch: each sends every member
 * the names it masters that now hash to that member (rebuilding the directory), holders of locks on
 * resources whose master departed ask the new directory node for a master (first asker wins) and
 * send it their lock copies, and when a node has heard "locks done" from every member it
 * finalizes value blocks, regrants, and resumes: held callbacks are delivered, saved messages
 * processed, and operations that were in flight to departed masters resent.
 */
public final class LockspaceCore implements Lockspace {
    private static final Logger LOG = LoggerFactory.getLogger(LockspaceCore.class);

    enum State { RUNNING, STOPPED, RECOVERING }

    /** {@code -Dgfs2j.dlm.trace=true} logs every message a core handles (to replay a simulation seed). */
    private static final boolean TRACE = Boolean.getBoolean("gfs2j.dlm.trace");

    private final String name;
    private final int self;
    private final int lvbLen;
    private final long incarnation;
    private final Transport transport;
    private final LongSupplier nanoClock;
    private final DlmMetrics metrics;

    // membership
    private final TreeSet<Integer> members = new TreeSet<>();
    private int[] memberArray = new int[0];
    private final Set<Integer> unfenced = new HashSet<>();
    private State state = State.RUNNING;
    private long epoch;
    private long stoppedAtNanos;

    // links
    private final Map<Integer, LinkState> links = new HashMap<>();
    private final Map<Integer, List<Envelope>> heldFromNonMembers = new HashMap<>();
    private final Map<Integer, Long> lastIncarnation = new HashMap<>();

    // holder side
    private final TreeMap<Integer, HolderLock> locks = new TreeMap<>();
    private int nextLkid = 1;
    private final Map<ResourceName, Integer> masterOf = new HashMap<>();
    private final Map<ResourceName, List<Integer>> lookupWaiters = new HashMap<>();

    // directory side
    private final Map<ResourceName, Integer> directory = new HashMap<>();

    // master side
    private final MasterRole master;
    private final TreeMap<ResourceName, MasterResource> mastered;
    private final Map<Long, MasterLock> masterLocks;

    // recovery
    private final Set<Integer> namesFrom = new HashSet<>();
    private final Set<Integer> locksDoneFrom = new HashSet<>();
    private final Set<ResourceName> rcPending = new HashSet<>();
    private final Set<ResourceName> remasterNames = new HashSet<>();
    private final List<Object[]> deferredRcLookups = new ArrayList<>();
    private boolean directoryReady;
    private final List<Object[]> savedMessages = new ArrayList<>();
    private final TreeMap<Long, List<Object[]>> futureRcom = new TreeMap<>();
    private int recoveries;
    private RecoveryListener recoveryListener;
    private long tossNanos = TimeUnit.SECONDS.toNanos(10);
    private java.util.function.Consumer<ResourceName> tossHook;
    private final Set<Integer> departedSinceRunning = new TreeSet<>();

    // dispatch
    private final ArrayDeque<DlmMessage> localQueue = new ArrayDeque<>();
    private final ArrayDeque<Runnable> callbacks = new ArrayDeque<>();
    private boolean pumping;
    private boolean delivering;

    /**
     * @param joining true for a node joining a running lockspace: it starts stopped and runs a
     *                recovery pass with the members (who are told {@link #nodeJoined} for it)
     */
    public LockspaceCore(String name, int self, Collection<Integer> initialMembers, int lvbLen, long incarnation,
                         Transport transport, LongSupplier nanoClock, MetricRegistry registry, boolean joining) {
        if (name.isEmpty() || name.length() > 64) {
            throw new IllegalArgumentException("lockspace name must be 1..64 bytes");
        }
        if (lvbLen <= 0 || lvbLen % 8 != 0) {
            throw new IllegalArgumentException("value block length must be a positive multiple of 8");
        }
        this.name = name;
        this.self = self;
        this.lvbLen = lvbLen;
        this.incarnation = incarnation;
        this.transport = transport;
        this.nanoClock = nanoClock;
        this.metrics = new DlmMetrics(registry, name);
        this.master = new MasterRole(name, self, lvbLen, metrics, this::send);
        this.mastered = master.mastered;
        this.masterLocks = master.masterLocks;
        members.addAll(initialMembers);
        members.add(self);
        refreshMemberArray();
        if (joining) {
            stoppedAtNanos = nanoClock.getAsLong();
            state = State.STOPPED;
            epoch = 1;
            startRecovery(epoch);
            pump();
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int lvbLength() {
        return lvbLen;
    }

    public int nodeId() {
        return self;
    }

    public boolean isRunning() {
        return state == State.RUNNING;
    }

    public long epoch() {
        return epoch;
    }

    public Set<Integer> members() {
        return new TreeSet<>(members);
    }

    public int recoveriesCompleted() {
        return recoveries;
    }

    @Override
    public void setRecoveryListener(RecoveryListener listener) {
        this.recoveryListener = listener;
    }

    // ------------------------------------------------------------------ API (holder side)

    @Override
    public int lock(byte[] resource, LockMode mode, int flags, LockCallbacks cb) {
        if (resource == null || resource.length == 0 || resource.length > ResourceName.MAX_LENGTH) {
            throw new DlmException(DlmStatus.EINVAL, "resource name must be 1..64 bytes");
        }
        if (mode == null || cb == null) {
            throw new DlmException(DlmStatus.EINVAL, "mode and callbacks are required");
        }
        if ((flags & ~LockFlags.LOCK_MASK) != 0) {
            throw new DlmException(DlmStatus.EINVAL, "unsupported flags 0x" + Integer.toHexString(flags & ~LockFlags.LOCK_MASK));
        }
        if (LockFlags.has(flags, LockFlags.CONVERT)) {
            throw new DlmException(DlmStatus.EINVAL, "CONVERT: use convert(lockId, ...)");
        }
        if ((flags & (LockFlags.QUECVT | LockFlags.CONVDEADLK)) != 0) {
            throw new DlmException(DlmStatus.EINVAL, "QUECVT and CONVDEADLK apply to conversions only");
        }
        if (LockFlags.has(flags, LockFlags.EXPEDITE) && (mode != LockMode.NL || LockFlags.has(flags, LockFlags.NOQUEUE))) {
            throw new DlmException(DlmStatus.EINVAL, "EXPEDITE only on a new NL request without NOQUEUE");
        }
        HolderLock lk = new HolderLock(nextLkid++, ResourceName.of(resource), cb, lvbLen);
        lk.op = HolderLock.Op.REQUEST;
        lk.requested = mode;
        lk.opFlags = flags;
        lk.valblk = LockFlags.has(flags, LockFlags.VALBLK);
        locks.put(lk.lkid, lk);
        metrics.requests.mark();
        dispatch(lk);
        pump();
        return lk.lkid;
    }

    @Override
    public void convert(int lockId, LockMode mode, int flags, byte[] lvb) {
        HolderLock lk = existing(lockId);
        if (mode == null) {
            throw new DlmException(DlmStatus.EINVAL, "mode is required");
        }
        if ((flags & ~LockFlags.LOCK_MASK) != 0) {
            throw new DlmException(DlmStatus.EINVAL, "unsupported flags 0x" + Integer.toHexString(flags & ~LockFlags.LOCK_MASK));
        }
        if (LockFlags.has(flags, LockFlags.EXPEDITE)) {
            throw new DlmException(DlmStatus.EINVAL, "EXPEDITE is not accepted on conversions");
        }
        if (LockFlags.has(flags, LockFlags.CONVDEADLK) && LockFlags.has(flags, LockFlags.NOQUEUE)) {
            throw new DlmException(DlmStatus.EINVAL, "CONVDEADLK cannot be combined with NOQUEUE");
        }
        if (lk.granted == null || lk.op != HolderLock.Op.NONE) {
            throw new DlmException(DlmStatus.EBUSY, "lock " + lockId + " is not granted or has an operation in progress");
        }
        if (LockFlags.has(flags, LockFlags.QUECVT)) {
            LockMode from = lk.granted;
            boolean up = mode != from && (mode.code > from.code || (from == LockMode.PR && mode == LockMode.CW));
            if (!up) {
                throw new DlmException(DlmStatus.EINVAL, "QUECVT needs an up-conversion, not " + from + " to " + mode);
            }
        }
        boolean valblk = LockFlags.has(flags, LockFlags.VALBLK);
        if (valblk && lvb != null && lvb.length != lvbLen) {
            throw new DlmException(DlmStatus.EINVAL, "value block must be " + lvbLen + " bytes");
        }
        metrics.requests.mark();
        lk.valblk |= valblk;
        char dir = Lvb.direction(lk.granted, mode);
        if (lk.granted.isDownTo(mode)) {
            if (valblk && dir == 'W' && !LockFlags.has(flags, LockFlags.IVVALBLK) && lvb != null) {
                lk.lvb = lvb.clone();
                lk.lvbSeq++;
            }
            lk.granted = mode;
            if (state == State.RUNNING && lk.master != 0) {
                send(lk.master, msg(MsgType.CONVERT, lk).setMode(mode.code).setFlags(flags)
                        .setLvb(ByteString.copyFrom(lk.lvb)).setHasLvb(valblk && dir == 'W'));
            } else {
                lk.downUnsent = mode;
                lk.downFlags = flags;
            }
            complete(lk, DlmStatus.OK, 0);
            pump();
            return;
        }
        if (valblk && dir == 'W' && lvb != null) {
            lk.lvb = lvb.clone();
        }
        lk.op = HolderLock.Op.CONVERT;
        lk.requested = mode;
        lk.opFlags = flags;
        dispatch(lk);
        pump();
    }

    @Override
    public void unlock(int lockId, int flags, byte[] lvb) {
        if (LockFlags.has(flags, LockFlags.CANCEL)) {
            cancel(lockId);
            return;
        }
        HolderLock lk = existing(lockId);
        if ((flags & ~LockFlags.UNLOCK_MASK) != 0) {
            throw new DlmException(DlmStatus.EINVAL, "unlock accepts only CANCEL, VALBLK, IVVALBLK");
        }
        if (lk.granted == null || lk.op != HolderLock.Op.NONE) {
            throw new DlmException(DlmStatus.EBUSY, "lock " + lockId + " is not granted or has an operation in progress");
        }
        if (LockFlags.has(flags, LockFlags.VALBLK) && lvb != null) {
            if (lvb.length != lvbLen) {
                throw new DlmException(DlmStatus.EINVAL, "value block must be " + lvbLen + " bytes");
            }
            if (lk.granted.code >= LockMode.PW.code) {
                lk.lvb = lvb.clone();
            }
        }
        lk.op = HolderLock.Op.UNLOCK;
        lk.opFlags = flags;
        dispatch(lk);
        pump();
    }

    @Override
    public void cancel(int lockId) {
        HolderLock lk = locks.get(lockId);
        if (lk == null || (lk.op != HolderLock.Op.REQUEST && lk.op != HolderLock.Op.CONVERT) || lk.cancel != HolderLock.Cancel.NONE) {
            return; // nothing pending: no-op, no callback
        }
        switch (lk.phase) {
            case UNSENT, LOOKUP -> cancelLocally(lk);
            case SENT -> lk.cancel = HolderLock.Cancel.WANTED;
            case QUEUED -> {
                if (state == State.RUNNING) {
                    sendCancel(lk);
                } else {
                    lk.cancel = HolderLock.Cancel.WANTED;
                }
            }
        }
        pump();
    }

    private HolderLock existing(int lockId) {
        HolderLock lk = locks.get(lockId);
        if (lk == null) {
            throw new DlmException(DlmStatus.EINVAL, "no lock " + lockId);
        }
        return lk;
    }

    private void cancelLocally(HolderLock lk) {
        if (lk.op == HolderLock.Op.REQUEST) {
            locks.remove(lk.lkid);
            lk.op = HolderLock.Op.NONE;
            complete(lk, DlmStatus.ECANCEL, 0);
        } else {
            lk.op = HolderLock.Op.NONE;
            lk.requested = null;
            complete(lk, DlmStatus.ECANCEL, 0);
        }
        lk.cancel = HolderLock.Cancel.NONE;
    }

    private void sendCancel(HolderLock lk) {
        lk.cancel = HolderLock.Cancel.SENT;
        send(lk.master, msg(MsgType.CANCEL, lk));
    }

    /** Sends the lock's pending operation towards its master (looking the master up if needed). */
    private void dispatch(HolderLock lk) {
        if (state != State.RUNNING) {
            lk.phase = HolderLock.Phase.UNSENT;
            return;
        }
        if (lk.op != HolderLock.Op.REQUEST && lk.master != 0) {
            sendOp(lk, lk.master); // an existing lock's master is known; the name cache may be newer or gone
            return;
        }
        Integer master = masterOf.get(lk.name);
        if (master == null) {
            int dirNode = dirNode(lk.name);
            if (dirNode == self) {
                master = directory.computeIfAbsent(lk.name, n -> self);
                masterOf.put(lk.name, master);
            } else {
                lk.phase = HolderLock.Phase.LOOKUP;
                List<Integer> waiters = lookupWaiters.computeIfAbsent(lk.name, n -> new ArrayList<>());
                waiters.add(lk.lkid);
                if (waiters.size() == 1) {
                    send(dirNode, DlmMessage.newBuilder().setType(MsgType.LOOKUP).setName(bs(lk.name)));
                }
                return;
            }
        }
        sendOp(lk, master);
    }

    private void sendOp(HolderLock lk, int master) {
        lk.master = master;
        lk.phase = HolderLock.Phase.SENT;
        lk.sentAtNanos = nanoClock.getAsLong();
        DlmMessage.Builder m;
        switch (lk.op) {
            case REQUEST -> m = msg(MsgType.REQUEST, lk).setMode(lk.requested.code).setFlags(lk.opFlags);
            case CONVERT -> {
                boolean write = LockFlags.has(lk.opFlags, LockFlags.VALBLK) && Lvb.direction(lk.granted, lk.requested) == 'W';
                m = msg(MsgType.CONVERT, lk).setMode(lk.requested.code).setFlags(lk.opFlags).setHasLvb(write);
                if (write) {
                    m.setLvb(ByteString.copyFrom(lk.lvb));
                }
            }
            case UNLOCK -> {
                boolean write = LockFlags.has(lk.opFlags, LockFlags.VALBLK) && lk.granted.code >= LockMode.PW.code;
                m = msg(MsgType.UNLOCK, lk).setFlags(lk.opFlags).setHasLvb(write);
                if (write) {
                    m.setLvb(ByteString.copyFrom(lk.lvb));
                }
            }
            default -> throw new IllegalStateException("no operation on lock " + lk.lkid);
        }
        send(master, m);
    }

    private DlmMessage.Builder msg(MsgType type, HolderLock lk) {
        return DlmMessage.newBuilder().setType(type).setLkid(lk.lkid).setName(bs(lk.name));
    }

    private static ByteString bs(ResourceName n) {
        return ByteString.copyFrom(n.raw());
    }

    // ------------------------------------------------------------------ completions (holder side)

    private void complete(HolderLock lk, int status, int sbFlags) {
        byte[] lvb = lk.valblk ? lk.lvb.clone() : null;
        Completion c = new Completion(lk.lkid, status, sbFlags | lk.pendingSbFlags, lk.granted, lvb);
        lk.pendingSbFlags = 0;
        lk.lastBast = null;
        if (status == DlmStatus.OK) {
            metrics.grants.mark();
        }
        LockCallbacks cb = lk.callbacks;
        callbacks.add(() -> cb.completed(c));
    }

    private void onGranted(HolderLock lk, DlmMessage m) {
        lk.granted = LockMode.ofCode(m.getMode());
        lk.op = HolderLock.Op.NONE;
        lk.requested = null;
        lk.cancel = HolderLock.Cancel.NONE;
        if (m.getHasLvb()) {
            lk.lvb = m.getLvb().toByteArray();
            lk.lvbSeq = m.getLvbSeq();
        }
        complete(lk, DlmStatus.OK, m.getSbflags());
    }

    private void holderReply(int from, DlmMessage m) {
        HolderLock lk = locks.get(m.getLkid());
        if (lk == null) {
            return;
        }
        if (from != self && m.getType() != MsgType.GRANT && m.getType() != MsgType.CANCEL_REPLY) {
            metrics.remoteRoundTrip.update(nanoClock.getAsLong() - lk.sentAtNanos, TimeUnit.NANOSECONDS);
        }
        int status = m.getStatus();
        switch (m.getType()) {
            case REQUEST_REPLY, CONVERT_REPLY -> {
                if (status == DlmStatus.EBADR) {
                    masterOf.remove(lk.name, from); // stale master (unless a newer answer replaced it): ask again
                    lk.master = 0;
                    if (lk.cancel != HolderLock.Cancel.NONE) {
                        cancelLocally(lk);
                    } else {
                        dispatch(lk);
                    }
                } else if (status == DlmStatus.OK) {
                    onGranted(lk, m);
                } else if (status == DlmStatus.EINPROGRESS) {
                    lk.phase = HolderLock.Phase.QUEUED;
                    if ((m.getSbflags() & DlmStatus.SBF_DEMOTED) != 0) {
                        lk.granted = LockMode.NL;
                        lk.pendingSbFlags |= DlmStatus.SBF_DEMOTED;
                    }
                    if (lk.cancel == HolderLock.Cancel.WANTED) {
                        sendCancel(lk);
                    }
                } else {
                    lk.cancel = HolderLock.Cancel.NONE;
                    lk.op = HolderLock.Op.NONE;
                    lk.requested = null;
                    if (m.getType() == MsgType.REQUEST_REPLY) {
                        locks.remove(lk.lkid);
                    } else if ((m.getSbflags() & DlmStatus.SBF_DEMOTED) != 0) {
                        lk.granted = LockMode.NL;
                    }
                    complete(lk, status, m.getSbflags());
                }
            }
            case GRANT -> {
                if (lk.op == HolderLock.Op.REQUEST || lk.op == HolderLock.Op.CONVERT) {
                    onGranted(lk, m);
                }
            }
            case UNLOCK_REPLY -> {
                locks.remove(lk.lkid);
                lk.op = HolderLock.Op.NONE;
                lk.granted = null;
                complete(lk, DlmStatus.EUNLOCK, 0);
            }
            case CANCEL_REPLY -> {
                if (status == DlmStatus.ECANCEL && lk.cancel == HolderLock.Cancel.SENT) {
                    if (lk.op == HolderLock.Op.REQUEST) {
                        locks.remove(lk.lkid);
                    }
                    lk.op = HolderLock.Op.NONE;
                    lk.requested = null;
                    complete(lk, DlmStatus.ECANCEL, 0);
                }
                lk.cancel = HolderLock.Cancel.NONE;
            }
            default -> throw new IllegalStateException();
        }
    }

    private void holderBast(DlmMessage m) {
        HolderLock lk = locks.get(m.getLkid());
        if (lk == null || lk.granted == null) {
            return;
        }
        LockMode wanted = LockMode.ofCode(m.getMode());
        if (wanted.compatibleWith(lk.granted) || LockMode.bastCovers(lk.lastBast, wanted)) {
            return; // already demoted far enough, or told already
        }
        lk.lastBast = wanted;
        metrics.blockingCallbacks.mark();
        LockCallbacks cb = lk.callbacks;
        int id = lk.lkid;
        callbacks.add(() -> cb.blocking(id, wanted));
    }

    // ------------------------------------------------------------------ directory side

    private void dirLookup(int from, DlmMessage m) {
        ResourceName n = ResourceName.wrap(m.getName().toByteArray());
        int master = directory.computeIfAbsent(n, k -> from);
        send(from, DlmMessage.newBuilder().setType(MsgType.LOOKUP_REPLY).setName(m.getName()).setMaster(master));
    }

    private void lookupReply(DlmMessage m) {
        ResourceName n = ResourceName.wrap(m.getName().toByteArray());
        masterOf.put(n, m.getMaster());
        if (m.getMaster() == self) {
            master.resource(n); // ours now, even if the lock that asked is cancelled meanwhile
        }
        List<Integer> waiters = lookupWaiters.remove(n);
        if (waiters == null) {
            return;
        }
        for (int id : waiters) {
            HolderLock lk = locks.get(id);
            if (lk != null && lk.phase == HolderLock.Phase.LOOKUP) {
                sendOp(lk, m.getMaster());
            }
        }
    }

    private int dirNode(ResourceName n) {
        return memberArray[Math.floorMod(n.stableHash(), memberArray.length)];
    }

    // ------------------------------------------------------------------ messages in

    /** An envelope from the transport. Envelopes for other lockspaces or from unknown nodes are dropped or held. */
    public void receive(Envelope env) {
        if (!env.getLockspace().equals(name) || env.getTo() != self || env.getFrom() == self) {
            LOG.warn("{}: dropping misaddressed envelope from {} to {}", name, env.getFrom(), env.getTo());
            return;
        }
        int from = env.getFrom();
        if (!members.contains(from)) {
            Long dead = lastIncarnation.get(from);
            if (dead != null && dead == env.getIncarnation()) {
                return; // from a departed incarnation
            }
            List<Envelope> held = heldFromNonMembers.computeIfAbsent(from, k -> new ArrayList<>());
            if (held.size() < 100_000) {
                held.add(env); // may be a joiner we have not been told about yet
            }
            return;
        }
        LinkState link = links.computeIfAbsent(from, k -> new LinkState());
        if (link.incarnation != env.getIncarnation()) {
            link.resetIncoming(env.getIncarnation());
            lastIncarnation.put(from, env.getIncarnation());
        }
        long seq = env.getSeq();
        if (seq < link.nextIn) {
            return; // duplicate
        }
        if (seq > link.nextIn) {
            link.reorder.put(seq, env);
            return;
        }
        deliver(from, env.getBody());
        link.nextIn++;
        Envelope next;
        while ((next = link.reorder.remove(link.nextIn)) != null) {
            deliver(from, next.getBody());
            link.nextIn++;
        }
        pump();
    }

    private void send(int to, DlmMessage.Builder b) {
        DlmMessage m = b.setEpoch(epoch).build();
        if (to == self) {
            localQueue.add(m);
            return;
        }
        LinkState link = links.computeIfAbsent(to, k -> new LinkState());
        metrics.messagesSent.mark();
        transport.send(Envelope.newBuilder().setLockspace(name).setFrom(self).setTo(to)
                .setIncarnation(incarnation).setSeq(++link.nextOut).setBody(m).build());
    }

    private void deliver(int from, DlmMessage m) {
        if (TRACE) {
            LOG.info("{} node {} {} epoch {}: {} from {} epoch {} lkid {} {}", name, self, state, epoch, m.getType(), from,
                    m.getEpoch(), m.getLkid(), ResourceName.wrap(m.getName().toByteArray()));
        }
        MsgType t = m.getType();
        if (t.getNumber() >= MsgType.RC_NAMES_VALUE) {
            recoveryMessage(from, m);
            return;
        }
        if (state != State.RUNNING || m.getEpoch() > epoch) {
            savedMessages.add(new Object[] {from, m});
            return;
        }
        normalMessage(from, m);
    }

    private void normalMessage(int from, DlmMessage m) {
        switch (m.getType()) {
            case REQUEST -> master.request(from, m);
            case CONVERT -> master.convert(from, m);
            case UNLOCK -> master.unlock(from, m);
            case CANCEL -> master.cancel(from, m);
            case REQUEST_REPLY, CONVERT_REPLY, UNLOCK_REPLY, CANCEL_REPLY, GRANT -> holderReply(from, m);
            case BAST -> holderBast(m);
            case LOOKUP -> {
                if (m.getEpoch() == epoch) {
                    dirLookup(from, m);
                }
            }
            case LOOKUP_REPLY -> {
                if (m.getEpoch() == epoch) {
                    lookupReply(m);
                }
            }
            case REMOVE -> {
                if (m.getEpoch() == epoch) {
                    ResourceName n = ResourceName.wrap(m.getName().toByteArray());
                    directory.remove(n, from);
                }
            }
            default -> LOG.warn("{}: unexpected message {} from {}", name, m.getType(), from);
        }
    }

    /** Runs queued local messages until none is left (callbacks stay queued for {@link #deliverCallbacks}). */
    private void pump() {
        if (pumping) {
            return;
        }
        pumping = true;
        try {
            DlmMessage m;
            while ((m = localQueue.poll()) != null) {
                deliver(self, m);
            }
        } finally {
            pumping = false;
        }
    }

    /**
     * Delivers queued completion and blocking callbacks, in order, unless the lockspace is in
     * recovery (then they wait). The driver calls this after every call or message, never from
     * inside a call, so a callback never runs before the call that caused it has returned. A
     * callback may call the lockspace; what that queues is delivered by the same loop.
     */
    public void deliverCallbacks() {
        if (delivering) {
            return;
        }
        delivering = true;
        try {
            while (state == State.RUNNING && !callbacks.isEmpty()) {
                Runnable cb = callbacks.poll();
                try {
                    cb.run();
                } catch (RuntimeException e) {
                    LOG.error("{}: lock callback failed", name, e);
                }
            }
        } finally {
            delivering = false;
        }
    }

    /** Whether callbacks are waiting for {@link #deliverCallbacks}. */
    public boolean hasCallbacks() {
        return state == State.RUNNING && !callbacks.isEmpty();
    }

    // ------------------------------------------------------------------ idle resources

    /** How long a mastered resource stays without locks before it is dropped (spec: 10 s). */
    public void setTossNanos(long nanos) {
        this.tossNanos = nanos;
    }

    /** Test hook: told each resource this node drops as idle. */
    void onToss(java.util.function.Consumer<ResourceName> hook) {
        this.tossHook = hook;
    }

    /**
     * Periodic housekeeping, driven by the runtime (every second): drops resources idle for the
     * toss period and tells their directory node, which forgets them unless re-mastered meanwhile.
     */
    public void tick() {
        if (state != State.RUNNING) {
            return;
        }
        for (ResourceName n : master.toss(nanoClock.getAsLong(), tossNanos)) {
            masterOf.remove(n);
            if (tossHook != null) {
                tossHook.accept(n);
            }
            send(dirNode(n), DlmMessage.newBuilder().setType(MsgType.REMOVE).setName(bs(n)));
        }
        pump();
    }

    // ------------------------------------------------------------------ membership and recovery

    /** Node {@code n} left or failed: stop; recovery starts once it is reported fenced. */
    public void nodeLeft(int n) {
        if (n == self || !members.remove(n)) {
            return;
        }
        refreshMemberArray();
        unfenced.add(n);
        departedSinceRunning.add(n);
        LinkState link = links.remove(n);
        if (link != null) {
            lastIncarnation.put(n, link.incarnation);
        }
        heldFromNonMembers.remove(n);
        stop();
        pump();
    }

    /** The fencing layer confirms {@code n} is cut off from storage. */
    public void nodeFenced(int n) {
        unfenced.remove(n);
        if (state == State.STOPPED && unfenced.isEmpty()) {
            startRecovery(Math.max(epoch, futureRcom.isEmpty() ? epoch : futureRcom.lastKey()));
        }
        pump();
    }

    /** Node {@code n} joined (or rejoined with a new incarnation). */
    public void nodeJoined(int n) {
        if (members.contains(n)) {
            return;
        }
        members.add(n);
        refreshMemberArray();
        links.remove(n);
        stop();
        if (unfenced.isEmpty()) {
            startRecovery(Math.max(epoch, futureRcom.isEmpty() ? epoch : futureRcom.lastKey()));
        }
        List<Envelope> held = heldFromNonMembers.remove(n);
        if (held != null) {
            for (Envelope e : held) {
                receive(e);
            }
        }
        pump();
    }

    private void stop() {
        if (state == State.RUNNING) {
            stoppedAtNanos = nanoClock.getAsLong();
            if (recoveryListener != null) {
                try {
                    recoveryListener.recoverPrep();
                } catch (RuntimeException e) {
                    LOG.error("{}: recover_prep hook failed", name, e);
                }
            }
        }
        state = State.STOPPED;
        epoch++;
    }

    private void refreshMemberArray() {
        memberArray = members.stream().mapToInt(Integer::intValue).toArray();
    }

    private void startRecovery(long e) {
        state = State.RECOVERING;
        epoch = e;
        directory.clear();
        namesFrom.clear();
        locksDoneFrom.clear();
        rcPending.clear();
        deferredRcLookups.clear();
        directoryReady = false;
        lookupWaiters.clear();

        // master side: forget resources rebuilt by an unfinished pass; purge departed holders
        for (var it = mastered.values().iterator(); it.hasNext(); ) {
            MasterResource r = it.next();
            if (r.rebuiltPending) {
                for (MasterLock lk : MasterRole.allLocks(r)) {
                    masterLocks.remove(lk.key());
                }
                it.remove();
                continue;
            }
            for (MasterLock lk : MasterRole.allLocks(r)) {
                if (!members.contains(lk.node)) {
                    if (lk.valblk && lk.granted != null && lk.granted.code >= LockMode.PW.code) {
                        r.lvbInvalid = true;
                    }
                    r.remove(lk);
                    masterLocks.remove(lk.key());
                }
            }
        }

        // holder side: which resources lost their master
        for (var it = masterOf.entrySet().iterator(); it.hasNext(); ) {
            var en = it.next();
            if (!members.contains(en.getValue()) || remasterNames.contains(en.getKey())) {
                remasterNames.add(en.getKey());
                it.remove();
            }
        }
        for (HolderLock lk : locks.values()) {
            if (lk.master != 0 && !members.contains(lk.master)) {
                remasterNames.add(lk.name);
                masterOf.remove(lk.name);
            }
        }
        for (HolderLock lk : new ArrayList<>(locks.values())) {
            boolean masterGone = remasterNames.contains(lk.name);
            if (masterGone) {
                lk.master = 0;
            }
            if (lk.phase == HolderLock.Phase.LOOKUP) {
                lk.phase = HolderLock.Phase.UNSENT;
            }
            if (masterGone) {
                settleInFlight(lk);
            }
        }

        // directory rebuild: tell each member the names we master that now hash to it
        Map<Integer, DlmMessage.Builder> names = new LinkedHashMap<>();
        for (int m : memberArray) {
            names.put(m, DlmMessage.newBuilder().setType(MsgType.RC_NAMES));
        }
        for (ResourceName n : mastered.keySet()) {
            names.get(dirNode(n)).addNames(bs(n));
        }
        names.forEach(this::send);

        // remaster what we hold locks on
        for (HolderLock lk : locks.values()) {
            if (remasterNames.contains(lk.name) && copyOf(lk) != null) {
                rcPending.add(lk.name);
            }
        }
        for (ResourceName n : rcPending) {
            send(dirNode(n), DlmMessage.newBuilder().setType(MsgType.RC_LOOKUP).setName(bs(n)));
        }
        if (rcPending.isEmpty()) {
            locksDone();
        }
        // replay recovery messages that were waiting for this epoch
        List<Object[]> ready = futureRcom.remove(e);
        futureRcom.headMap(e).clear();
        if (ready != null) {
            for (Object[] fm : ready) {
                recoveryMessage((Integer) fm[0], (DlmMessage) fm[1]);
            }
        }
    }

    /** Spec 3.3: what becomes of an operation whose master departed. */
    private void settleInFlight(HolderLock lk) {
        lk.downUnsent = null; // the lock copy sent to the new master carries the lowered mode
        switch (lk.op) {
            case REQUEST -> {
                if (lk.cancel != HolderLock.Cancel.NONE) {
                    cancelLocally(lk);
                } else if (lk.phase != HolderLock.Phase.QUEUED) {
                    lk.phase = HolderLock.Phase.UNSENT;
                }
            }
            case CONVERT -> {
                if (LockFlags.has(lk.opFlags, LockFlags.CONVDEADLK)) {
                    // the old master may have demoted it to NL (DEMOTED reply lost with it): assume so
                    lk.granted = LockMode.NL;
                }
                if (lk.cancel != HolderLock.Cancel.NONE) {
                    cancelLocally(lk);
                } else if (lk.phase == HolderLock.Phase.SENT) {
                    lk.phase = lk.middleConversion() ? HolderLock.Phase.QUEUED : HolderLock.Phase.UNSENT;
                }
            }
            case UNLOCK -> {
                if (lk.phase == HolderLock.Phase.SENT) {
                    locks.remove(lk.lkid);
                    lk.op = HolderLock.Op.NONE;
                    lk.granted = null;
                    complete(lk, DlmStatus.EUNLOCK, 0);
                }
            }
            default -> { }
        }
    }

    /** The copy of a lock a holder sends to a new master, or null if the master must not know it. */
    private LockCopy copyOf(HolderLock lk) {
        LockCopy.Builder c = LockCopy.newBuilder().setLkid(lk.lkid).setValblk(lk.valblk)
                .setLvb(ByteString.copyFrom(lk.lvb)).setLvbSeq(lk.lvbSeq);
        boolean queued = lk.phase == HolderLock.Phase.QUEUED;
        if (lk.granted == null) {
            if (lk.op == HolderLock.Op.REQUEST && queued) {
                return c.setGranted(-1).setRequested(lk.requested.code).setQueue(2).setFlags(lk.opFlags).build();
            }
            return null;
        }
        if (lk.op == HolderLock.Op.CONVERT && queued) {
            return c.setGranted(lk.granted.code).setRequested(lk.requested.code).setQueue(1).setFlags(lk.opFlags)
                    .setMiddleConversion(lk.middleConversion()).build();
        }
        return c.setGranted(lk.granted.code).setRequested(-1).setQueue(0).setFlags(lk.valblk ? LockFlags.VALBLK : 0).build();
    }

    private void recoveryMessage(int from, DlmMessage m) {
        if (m.getEpoch() < epoch) {
            return; // from an aborted pass
        }
        if (m.getEpoch() > epoch || state != State.RECOVERING) {
            if (m.getEpoch() > epoch && state == State.RECOVERING) {
                futureRcom.computeIfAbsent(m.getEpoch(), k -> new ArrayList<>()).add(new Object[] {from, m});
                startRecovery(m.getEpoch()); // another member is ahead: restart at its epoch
                return;
            }
            if (m.getEpoch() >= epoch) {
                futureRcom.computeIfAbsent(m.getEpoch(), k -> new ArrayList<>()).add(new Object[] {from, m});
            }
            return;
        }
        switch (m.getType()) {
            case RC_NAMES -> {
                for (ByteString b : m.getNamesList()) {
                    directory.put(ResourceName.wrap(b.toByteArray()), from);
                }
                namesFrom.add(from);
                if (namesFrom.containsAll(members) && !directoryReady) {
                    directoryReady = true;
                    for (Object[] q : deferredRcLookups) {
                        rcLookup((Integer) q[0], (DlmMessage) q[1]);
                    }
                    deferredRcLookups.clear();
                }
            }
            case RC_LOOKUP -> {
                if (directoryReady) {
                    rcLookup(from, m);
                } else {
                    deferredRcLookups.add(new Object[] {from, m});
                }
            }
            case RC_LOOKUP_REPLY -> {
                ResourceName n = ResourceName.wrap(m.getName().toByteArray());
                if (!rcPending.remove(n)) {
                    return;
                }
                masterOf.put(n, m.getMaster());
                List<LockCopy> copies = new ArrayList<>();
                for (HolderLock lk : locks.values()) {
                    if (lk.name.equals(n)) {
                        LockCopy c = copyOf(lk);
                        if (c != null) {
                            copies.add(c);
                            lk.master = m.getMaster();
                        }
                    }
                }
                send(m.getMaster(), DlmMessage.newBuilder().setType(MsgType.RC_LOCKS).setName(m.getName()).addAllLocks(copies));
                if (rcPending.isEmpty()) {
                    locksDone();
                }
            }
            case RC_LOCKS -> rebuild(from, m);
            case RC_LOCKS_DONE -> {
                locksDoneFrom.add(from);
                if (locksDoneFrom.containsAll(members)) {
                    finishRecovery();
                }
            }
            default -> LOG.warn("{}: unexpected recovery message {}", name, m.getType());
        }
    }

    private void rcLookup(int from, DlmMessage m) {
        ResourceName n = ResourceName.wrap(m.getName().toByteArray());
        int master = directory.computeIfAbsent(n, k -> from);
        send(from, DlmMessage.newBuilder().setType(MsgType.RC_LOOKUP_REPLY).setName(m.getName()).setMaster(master));
    }

    private void locksDone() {
        for (int m : memberArray) {
            send(m, DlmMessage.newBuilder().setType(MsgType.RC_LOCKS_DONE));
        }
    }

    private void rebuild(int from, DlmMessage m) {
        ResourceName n = ResourceName.wrap(m.getName().toByteArray());
        MasterResource r = mastered.get(n);
        if (r == null) {
            r = master.resource(n);
            r.rebuiltPending = true;
        }
        for (LockCopy c : m.getLocksList()) {
            MasterLock lk = masterLocks.get(MasterLock.key(from, c.getLkid()));
            if (lk != null) {
                lk.resource.remove(lk);
            }
            lk = new MasterLock(from, c.getLkid(), r);
            lk.granted = LockMode.ofCode(c.getGranted());
            lk.requested = LockMode.ofCode(c.getRequested());
            lk.flags = c.getFlags();
            lk.valblk = c.getValblk();
            lk.lvbSeq = c.getLvbSeq();
            lk.recoveredLvb = c.getLvb().toByteArray();
            lk.middleConversion = c.getMiddleConversion();
            masterLocks.put(lk.key(), lk);
            switch (c.getQueue()) {
                case 0 -> r.granted.add(lk);
                case 1 -> r.converting.add(lk);
                default -> r.waiting.add(lk);
            }
        }
    }

    private void finishRecovery() {
        for (MasterResource r : mastered.values()) {
            if (!r.rebuiltPending) {
                continue;
            }
            r.rebuiltPending = false;
            master.recoverLvb(r);
            for (MasterLock lk : new ArrayList<>(r.converting)) {
                // a PR<->CW conversion the old master may have granted: if another lock's mode
                // contradicts the old mode, the conversion must have happened
                if (lk.middleConversion && !r.compatibleWithOthers(lk, lk.granted)) {
                    r.converting.remove(lk);
                    r.granted.add(lk);
                    master.sendGrant(r, lk, lk.granted, lk.requested);
                }
                lk.middleConversion = false;
            }
            master.resolveConversionDeadlocks(r);
        }
        state = State.RUNNING;
        remasterNames.clear();
        recoveries++;
        if (recoveryListener != null) {
            RecoveryListener l = recoveryListener;
            Set<Integer> now = new TreeSet<>(members);
            Set<Integer> gone = new TreeSet<>(departedSinceRunning);
            long e = epoch;
            callbacks.addFirst(() -> l.recoverDone(now, gone, e));
        }
        departedSinceRunning.clear();
        metrics.recovery.update(nanoClock.getAsLong() - stoppedAtNanos, TimeUnit.NANOSECONDS);
        LOG.info("{}: node {} recovered, epoch {}, members {}", name, self, epoch, members);
        if (TRACE) {
            LOG.info("after recovery:\n{}", dump());
        }
        for (MasterResource r : mastered.values()) {
            master.grantPending(r, true);
        }
        List<Object[]> saved = new ArrayList<>(savedMessages);
        savedMessages.clear();
        for (Object[] s : saved) {
            if (!members.contains((Integer) s[0])) {
                continue; // saved before the sender departed: its locks and grants are gone
            }
            deliver((Integer) s[0], (DlmMessage) s[1]);
        }
        for (HolderLock lk : new ArrayList<>(locks.values())) {
            if (state != State.RUNNING) {
                break;
            }
            if (lk.downUnsent != null && lk.master != 0) {
                boolean write = LockFlags.has(lk.downFlags, LockFlags.VALBLK);
                send(lk.master, msg(MsgType.CONVERT, lk).setMode(lk.downUnsent.code).setFlags(lk.downFlags)
                        .setLvb(ByteString.copyFrom(lk.lvb)).setHasLvb(write));
            }
            lk.downUnsent = null;
            if (lk.op != HolderLock.Op.NONE && lk.phase == HolderLock.Phase.UNSENT && locks.containsKey(lk.lkid)) {
                dispatch(lk);
            } else if (lk.cancel == HolderLock.Cancel.WANTED && lk.phase == HolderLock.Phase.QUEUED) {
                sendCancel(lk);
            }
        }
    }

    // ------------------------------------------------------------------ inspection

    @Override
    public String dump() {
        StringBuilder sb = new StringBuilder();
        sb.append("lockspace ").append(name).append(" node ").append(self).append(" state ").append(state)
                .append(" epoch ").append(epoch).append(" members ").append(members).append('\n');
        for (MasterResource r : mastered.values()) {
            sb.append("Resource ").append(r.name).append(" master ").append(self)
                    .append(" lvb ").append(Hex.of(r.lvb)).append(" seq ").append(r.lvbSeq)
                    .append(r.lvbInvalid ? " invalid" : "").append('\n');
            appendQueue(sb, "Granted", r.granted);
            appendQueue(sb, "Conversion", r.converting);
            appendQueue(sb, "Waiting", r.waiting);
        }
        sb.append("Local locks:\n");
        for (HolderLock lk : locks.values()) {
            sb.append("  lkid ").append(lk.lkid).append(' ').append(lk.name).append(" master ")
                    .append(lk.master).append(" granted ").append(lk.granted);
            if (lk.op != HolderLock.Op.NONE) {
                sb.append(" op ").append(lk.op).append(lk.requested != null ? " " + lk.requested : "").append(' ').append(lk.phase);
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static void appendQueue(StringBuilder sb, String title, List<MasterLock> q) {
        if (q.isEmpty()) {
            return;
        }
        sb.append("  ").append(title).append(":\n");
        for (MasterLock lk : q) {
            sb.append("    ").append(lk).append('\n');
        }
    }

    /** For tests: the granted modes on every resource this node masters (grant and convert queues). */
    public Map<ResourceName, List<LockMode>> masterGrantedModes() {
        Map<ResourceName, List<LockMode>> out = new TreeMap<>();
        for (MasterResource r : mastered.values()) {
            List<LockMode> modes = new ArrayList<>();
            r.granted.forEach(l -> modes.add(l.granted));
            r.converting.forEach(l -> modes.add(l.granted));
            out.put(r.name, modes);
        }
        return out;
    }

    /**
     * For tests: the mode each of this node's locks may be used in (null = none). A lock being
     * unlocked is already given up by its owner, so it counts as none; during a PR&lt;-&gt;CW
     * conversion neither mode may be relied on (the master may grant others the new one's peers
     * before the reply arrives), so it counts as NL; likewise a conversion with CONVDEADLK, which
     * the master may demote to NL at any moment.
     */
    public Map<Integer, LockMode> holderGrantedModes() {
        Map<Integer, LockMode> out = new TreeMap<>();
        locks.forEach((id, lk) -> out.put(id, lk.op == HolderLock.Op.UNLOCK ? null
                : lk.middleConversion() || (lk.op == HolderLock.Op.CONVERT && LockFlags.has(lk.opFlags, LockFlags.CONVDEADLK))
                ? LockMode.NL : lk.granted));
        return out;
    }

    /** For tests: the resource a local lock is on. */
    public ResourceName resourceOf(int lockId) {
        HolderLock lk = locks.get(lockId);
        return lk == null ? null : lk.name;
    }

    /** For tests: resources this node masters. */
    public Set<ResourceName> masteredNames() {
        return new TreeSet<>(mastered.keySet());
    }

    @Override
    public String toString() {
        return "LockspaceCore[" + name + " node " + self + " " + state + " epoch " + epoch + "]";
    }

    /** Per-peer sequence state. */
    private static final class LinkState {
        long nextOut;
        long nextIn = 1;
        long incarnation = Long.MIN_VALUE;
        final TreeMap<Long, Envelope> reorder = new TreeMap<>();

        void resetIncoming(long inc) {
            incarnation = inc;
            nextIn = 1;
            reorder.clear();
        }
    }
}
