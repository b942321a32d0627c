package org.gfs2j.dlm.node;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.gfs2j.dlm.net.ClusterKey;
import org.gfs2j.dlm.net.DlmPipeline;
import org.gfs2j.dlm.net.SecureFrameHandler;
import org.gfs2j.dlm.proto.Envelope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outgoing connection to one peer: one long-lived channel, so envelopes to that peer stay in
 * order. The peer acknowledges what it received (a count per connection); what a lost connection
 * may have swallowed is resent on the next one, and the receiving core drops duplicates by sequence. Envelopes queue while (re)connecting and authenticating; a lost connection is redialled
 * (100 ms doubling to 3 s) while there is something to send.
 */
final class PeerLink {
    private static final Logger LOG = LoggerFactory.getLogger(PeerLink.class);
    private final int self;
    private final int peer;
    private final InetSocketAddress address;
    private final EventLoopGroup group;
    private final Set<Integer> known;
    private final ClusterKey key;
    /** Not yet written to any connection. */
    private final ArrayDeque<Envelope> backlog = new ArrayDeque<>();
    /** Written but not yet acknowledged by the peer: resent after a reconnect (the peer drops duplicates by sequence). */
    private final ArrayDeque<Envelope> unacked = new ArrayDeque<>();
    private long ackedOnConnection;
    private Channel channel;
    private boolean ready;
    private boolean connecting;
    private boolean closed;
    private long retryMillis = 100;

    PeerLink(int self, int peer, InetSocketAddress address, EventLoopGroup group, Set<Integer> known, ClusterKey key) {
        this.self = self;
        this.peer = peer;
        this.address = address;
        this.group = group;
        this.known = known;
        this.key = key;
    }

    /** Closes the current connection (it is re-established on demand); for connection-loss tests. */
    synchronized void dropConnection() {
        if (channel != null) {
            channel.close();
        }
    }

    synchronized void send(Envelope env) {
        if (closed) {
            return;
        }
        if (ready) {
            unacked.add(env);
            channel.writeAndFlush(env);
            return;
        }
        backlog.add(env);
        connect();
    }

    private void connect() {
        if (connecting || closed) {
            return;
        }
        connecting = true;
        new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        DlmPipeline.configure(ch.pipeline(), true, self, peer, known, key);
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                if (evt instanceof SecureFrameHandler.Authenticated) {
                                    authenticated(ctx.channel());
                                }
                            }

                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                if (msg instanceof Envelope ack && ack.getLockspace().isEmpty()) {
                                    acknowledged(ctx.channel(), ack.getSeq());
                                }
                            }

                            @Override
                            public void channelInactive(ChannelHandlerContext ctx) {
                                lost(ctx.channel());
                            }
                        });
                    }
                })
                .connect(address).addListener(f -> {
                    if (!f.isSuccess()) {
                        retryLater();
                    }
                });
    }

    private synchronized void authenticated(Channel ch) {
        channel = ch;
        ready = true;
        connecting = false;
        retryMillis = 100;
        ackedOnConnection = 0;
        unacked.addAll(backlog);
        backlog.clear();
        for (Envelope e : unacked) {
            ch.write(e);
        }
        ch.flush();
    }

    /** The peer has received {@code count} envelopes on this connection so far. */
    private synchronized void acknowledged(Channel ch, long count) {
        if (ch != channel) {
            return;
        }
        for (long i = ackedOnConnection; i < count && !unacked.isEmpty(); i++) {
            unacked.poll();
        }
        ackedOnConnection = Math.max(ackedOnConnection, count);
    }

    private synchronized void lost(Channel ch) {
        if (ch != channel && channel != null) {
            return;
        }
        if (ready) {
            LOG.info("node {}: connection to node {} lost", self, peer);
        }
        ready = false;
        channel = null;
        connecting = false;
        if (!backlog.isEmpty() || !unacked.isEmpty()) {
            retryLater();
        }
    }

    private synchronized void retryLater() {
        connecting = false;
        if (closed) {
            return;
        }
        group.schedule(() -> {
            synchronized (PeerLink.this) {
                if (!ready && (!backlog.isEmpty() || !unacked.isEmpty())) {
                    connect();
                }
            }
        }, retryMillis, TimeUnit.MILLISECONDS);
        retryMillis = Math.min(retryMillis * 2, 3000);
    }

    /** Drops the queue and the connection (the peer left). */
    synchronized void close() {
        closed = true;
        backlog.clear();
        unacked.clear();
        if (channel != null) {
            channel.close();
        }
    }
}
