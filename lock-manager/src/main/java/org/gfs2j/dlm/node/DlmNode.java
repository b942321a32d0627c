package org.gfs2j.dlm.node;

import com.codahale.metrics.MetricRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.gfs2j.dlm.LockManager;
import org.gfs2j.dlm.Lockspace;
import org.gfs2j.dlm.core.LockspaceCore;
import org.gfs2j.dlm.net.DlmPipeline;
import org.gfs2j.dlm.proto.Envelope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster member's lock manager: the lockspace cores on one core-loop thread, Netty for the
 * connections between nodes (one authenticated outgoing channel per peer for what this node sends,
 * incoming channels for what it receives), and a loopback admin endpoint.
 *
 * <p>Membership comes from outside ({@link #nodeLeft}, {@link #nodeFenced}, {@link #nodeJoined}):
 * the fencing layer, or an operator through the admin endpoint.
 */
public final class DlmNode implements LockManager, org.gfs2j.dlm.Membership {
    private static final Logger LOG = LoggerFactory.getLogger(DlmNode.class);
    public static final int LVB_LENGTH = 32;

    private final NodeConfig config;
    private final MetricRegistry metrics;
    private final CoreLoop loop;
    private final EventLoopGroup io;
    private final Map<Integer, PeerLink> links = new HashMap<>();
    /** Written on the core loop only; read by other threads for dumps and membership. */
    private final Map<String, LoopLockspace> lockspaces = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, List<Envelope>> early = new HashMap<>();
    private final Set<Integer> members = new TreeSet<>();
    private final long incarnation = System.nanoTime() ^ ((long) System.identityHashCode(this) << 32);
    private Channel server;
    private final java.util.Set<Channel> incoming = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private AdminServer admin;

    public DlmNode(NodeConfig config, MetricRegistry metrics) {
        this.config = config;
        this.metrics = metrics;
        // one thread for the cores and every connection of this node
        this.io = new NioEventLoopGroup(1, new io.netty.util.concurrent.DefaultThreadFactory("dlm-node-" + config.nodeId(), true));
        this.loop = new CoreLoop(io.next());
        members.addAll(config.nodes().keySet());
    }

    /** Binds the DLM port (and the admin port) and returns this node. */
    public DlmNode start() throws IOException {
        try {
            server = new ServerBootstrap().group(io).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            DlmPipeline.configure(ch.pipeline(), false, config.nodeId(), 0, config.nodes().keySet(), config.key());
                            incoming.add(ch);
                            ch.closeFuture().addListener(f -> incoming.remove(ch));
                            ch.pipeline().addLast(new SimpleChannelInboundHandler<Envelope>() {
                                private long received;
                                private long acked;

                                @Override
                                public void channelReadComplete(ChannelHandlerContext ctx) {
                                    if (received != acked) {
                                        // cumulative count on this connection: the sender may forget that much
                                        acked = received;
                                        ctx.writeAndFlush(Envelope.newBuilder().setFrom(config.nodeId()).setSeq(received).build());
                                    }
                                    ctx.fireChannelReadComplete();
                                }

                                @Override
                                protected void channelRead0(ChannelHandlerContext ctx, Envelope env) {
                                    received++;
                                    if (loop.inLoop()) {
                                        onEnvelope(env);
                                    } else {
                                        loop.execute(() -> onEnvelope(env));
                                    }
                                }
                            });
                        }
                    })
                    .bind(config.nodes().get(config.nodeId())).sync().channel();
        } catch (Exception e) {
            io.shutdownGracefully();
            loop.shutdown();
            throw new IOException("cannot bind DLM port " + config.nodes().get(config.nodeId()) + ": " + e.getMessage(), e);
        }
        if (config.adminPort() >= 0) {
            admin = new AdminServer(this, config.adminPort());
        }
        loop.every(1000, () -> {
            for (LockspaceCore c : cores()) {
                c.tick();
                c.deliverCallbacks();
            }
        });
        LOG.info("node {} listening on {}", config.nodeId(), server.localAddress());
        return this;
    }

    @Override
    public int nodeId() {
        return config.nodeId();
    }

    public int adminPort() {
        return admin == null ? -1 : admin.port();
    }

    public MetricRegistry metrics() {
        return metrics;
    }

    @Override
    public Lockspace openLockspace(String name) {
        // created on the core loop, with no monitor held, so it cannot race an arriving envelope
        return loop.call(() -> {
            LoopLockspace ls = lockspaces.get(name);
            if (ls == null) {
                LockspaceCore core = new LockspaceCore(name, config.nodeId(), members, LVB_LENGTH, incarnation,
                        this::transmit, System::nanoTime, metrics, config.joining());
                ls = new LoopLockspace(loop, core);
                lockspaces.put(name, ls);
                List<Envelope> pending = early.remove(name);
                if (pending != null) {
                    pending.forEach(core::receive);
                }
                loop.execute(core::deliverCallbacks);
            }
            return ls;
        });
    }

    private void transmit(Envelope env) {
        PeerLink link;
        synchronized (links) {
            link = links.computeIfAbsent(env.getTo(), p -> new PeerLink(config.nodeId(), p, config.nodes().get(p), io,
                    config.nodes().keySet(), config.key()));
        }
        link.send(env);
    }

    private void onEnvelope(Envelope env) {
        LoopLockspace ls = lockspaces.get(env.getLockspace());
        if (ls == null) {
            List<Envelope> list = early.computeIfAbsent(env.getLockspace(), k -> new ArrayList<>());
            if (list.size() < 100_000) {
                list.add(env); // the lockspace is not open here yet
            }
            return;
        }
        ls.core().receive(env);
        ls.core().deliverCallbacks();
    }

    private List<LockspaceCore> cores() {
        List<LockspaceCore> out = new ArrayList<>();
        lockspaces.values().forEach(l -> out.add(l.core()));
        return out;
    }

    /** Node {@code n} failed or left: every lockspace stops until {@link #nodeFenced}. */
    @Override
    public void nodeLeft(int n) {
        synchronized (links) {
            PeerLink l = links.remove(n);
            if (l != null) {
                l.close();
            }
        }
        loop.call(() -> {
            members.remove(n);
            for (LockspaceCore c : cores()) {
                c.nodeLeft(n);
                c.deliverCallbacks();
            }
            return null;
        });
    }

    /** The fencing layer reports {@code n} fenced: recovery may run. */
    @Override
    public void nodeFenced(int n) {
        loop.call(() -> {
            for (LockspaceCore c : cores()) {
                c.nodeFenced(n);
                c.deliverCallbacks();
            }
            return null;
        });
    }

    /** Node {@code n} joined (it was started with {@code joining}). */
    @Override
    public void nodeJoined(int n) {
        if (!config.nodes().containsKey(n)) {
            throw new IllegalArgumentException("node " + n + " is not in the static node list");
        }
        synchronized (links) {
            PeerLink l = links.remove(n);
            if (l != null) {
                l.close();
            }
        }
        loop.call(() -> {
            members.add(n);
            for (LockspaceCore c : cores()) {
                c.nodeJoined(n);
                c.deliverCallbacks();
            }
            return null;
        });
    }

    /**
     * Closes every connection of this node, incoming and outgoing, as a network fault would; they
     * are re-established on demand and unacknowledged envelopes are resent. For tests.
     */
    public void dropConnections() {
        synchronized (links) {
            links.values().forEach(PeerLink::dropConnection);
        }
        for (Channel c : incoming) {
            c.close();
        }
    }

    /** Whether every open lockspace is running (not stopped or recovering). */
    public boolean isRunning() {
        return loop.call(() -> cores().stream().allMatch(LockspaceCore::isRunning));
    }

    @Override
    public String dump() {
        return loop.call(() -> {
            StringBuilder sb = new StringBuilder();
            for (LockspaceCore c : cores()) {
                sb.append(c.dump());
            }
            return sb.toString();
        });
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close();
        }
        synchronized (links) {
            links.values().forEach(PeerLink::close);
            links.clear();
        }
        if (server != null) {
            server.close();
        }
        io.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        loop.shutdown();
    }
}
