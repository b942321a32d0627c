package org.gfs2j.dlm.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Set;
import javax.crypto.Mac;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates a connection with the cluster key and protects every frame after that.
 * Sits above the length-prefix framing: inbound it receives one frame per ByteBuf, outbound it
 * wraps payload ByteBufs.
 *
 * <pre>
 * client -> server  HELLO      [1][u32 client id][u32 server id][32 nonceC]
 * server -> client  CHALLENGE  [2][u32 server id][32 nonceS][32 HMAC(K, "srv"|nonceC|nonceS|ids)]
 * client -> server  AUTH       [3][32 HMAC(K, "cli"|nonceC|nonceS|ids)]
 * either            DATA       [4][u64 seq][payload][32 HMAC(k_dir, seq|payload)]
 * </pre>
 *
 * Both sides prove knowledge of K over both nonces (mutual challenge-response); the direction
 * keys k_dir = HMAC(K, "c2s"|"s2c"|nonceC|nonceS) are fresh per connection, and the sequence
 * number in each MAC rejects replayed, dropped or reordered frames. Any violation (unknown node,
 * wrong key, bad MAC, malformed frame) closes this connection with a logged reason; other
 * connections are unaffected. After authentication a {@link Authenticated} event is fired and
 * payloads are passed on as ByteBufs.
 */
public final class SecureFrameHandler extends ChannelDuplexHandler {
    private static final Logger LOG = LoggerFactory.getLogger(SecureFrameHandler.class);
    private static final byte HELLO = 1;
    private static final byte CHALLENGE = 2;
    private static final byte AUTH = 3;
    private static final byte DATA = 4;
    private static final int NONCE = 32;
    private static final int MAC = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Fired once the peer has proven the key; carries its node id. */
    public record Authenticated(int peerId) {
    }

    private final boolean client;
    private final int selfId;
    private final Set<Integer> knownNodes;
    private final ClusterKey key;
    private int peerId;
    private byte[] nonceC;
    private byte[] nonceS;
    private Mac sendMac;
    private Mac recvMac;
    private long sendSeq;
    private long recvSeq;
    private boolean ready;
    private final ArrayDeque<Object[]> pendingWrites = new ArrayDeque<>();

    /**
     * @param expectedPeer for a client: the node it dials (the server must prove to be it); for
     *                     a server: ignored (0)
     */
    public SecureFrameHandler(boolean client, int selfId, int expectedPeer, Set<Integer> knownNodes, ClusterKey key) {
        this.client = client;
        this.selfId = selfId;
        this.peerId = expectedPeer;
        this.knownNodes = knownNodes;
        this.key = key;
    }

    public int peerId() {
        return ready ? peerId : 0;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (client) {
            nonceC = new byte[NONCE];
            RANDOM.nextBytes(nonceC);
            ByteBuf hello = ctx.alloc().buffer(1 + 8 + NONCE);
            hello.writeByte(HELLO).writeInt(selfId).writeInt(peerId).writeBytes(nonceC);
            ctx.writeAndFlush(hello);
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        ByteBuf frame = (ByteBuf) msg;
        try {
            if (!frame.isReadable()) {
                reject(ctx, "empty frame");
                return;
            }
            byte type = frame.readByte();
            if (ready) {
                if (type != DATA) {
                    reject(ctx, "unexpected frame type " + type + " after authentication");
                    return;
                }
                readData(ctx, frame);
                return;
            }
            if (client && type == CHALLENGE) {
                onChallenge(ctx, frame);
            } else if (!client && type == HELLO && nonceS == null) {
                onHello(ctx, frame);
            } else if (!client && type == AUTH && nonceS != null) {
                onAuth(ctx, frame);
            } else {
                reject(ctx, "unexpected frame type " + type + " before authentication");
            }
        } finally {
            frame.release();
        }
    }

    private void onHello(ChannelHandlerContext ctx, ByteBuf f) {
        if (f.readableBytes() != 8 + NONCE) {
            reject(ctx, "malformed HELLO");
            return;
        }
        int claimed = f.readInt();
        int dialed = f.readInt();
        if (!knownNodes.contains(claimed) || claimed == selfId) {
            reject(ctx, "unknown node id " + claimed);
            return;
        }
        if (dialed != selfId) {
            reject(ctx, "node " + claimed + " dialed node " + dialed + ", this is node " + selfId);
            return;
        }
        peerId = claimed;
        nonceC = new byte[NONCE];
        f.readBytes(nonceC);
        nonceS = new byte[NONCE];
        RANDOM.nextBytes(nonceS);
        ByteBuf out = ctx.alloc().buffer(1 + 4 + NONCE + MAC);
        out.writeByte(CHALLENGE).writeInt(selfId).writeBytes(nonceS).writeBytes(proof("srv"));
        ctx.writeAndFlush(out);
    }

    private void onChallenge(ChannelHandlerContext ctx, ByteBuf f) {
        if (f.readableBytes() != 4 + NONCE + MAC) {
            reject(ctx, "malformed CHALLENGE");
            return;
        }
        int server = f.readInt();
        if (server != peerId) {
            reject(ctx, "dialed node " + peerId + " but node " + server + " answered");
            return;
        }
        nonceS = new byte[NONCE];
        f.readBytes(nonceS);
        byte[] mac = new byte[MAC];
        f.readBytes(mac);
        if (!MessageDigest.isEqual(mac, proof("srv"))) {
            reject(ctx, "node " + server + " failed the key check (wrong cluster key?)");
            return;
        }
        ByteBuf out = ctx.alloc().buffer(1 + MAC);
        out.writeByte(AUTH).writeBytes(proof("cli"));
        ctx.writeAndFlush(out);
        becomeReady(ctx);
    }

    private void onAuth(ChannelHandlerContext ctx, ByteBuf f) {
        if (f.readableBytes() != MAC) {
            reject(ctx, "malformed AUTH");
            return;
        }
        byte[] mac = new byte[MAC];
        f.readBytes(mac);
        if (!MessageDigest.isEqual(mac, proof("cli"))) {
            reject(ctx, "node " + peerId + " failed the key check (wrong cluster key?)");
            return;
        }
        becomeReady(ctx);
    }

    private byte[] proof(String role) {
        int clientId = client ? selfId : peerId;
        int serverId = client ? peerId : selfId;
        byte[] ids = ByteBuffer.allocate(8).putInt(clientId).putInt(serverId).array();
        return key.hmac(role.getBytes(StandardCharsets.US_ASCII), nonceC, nonceS, ids);
    }

    private void becomeReady(ChannelHandlerContext ctx) {
        byte[] c2s = key.hmac("c2s".getBytes(StandardCharsets.US_ASCII), nonceC, nonceS);
        byte[] s2c = key.hmac("s2c".getBytes(StandardCharsets.US_ASCII), nonceC, nonceS);
        sendMac = ClusterKey.macFor(client ? c2s : s2c);
        recvMac = ClusterKey.macFor(client ? s2c : c2s);
        ready = true;
        ctx.fireUserEventTriggered(new Authenticated(peerId));
        while (!pendingWrites.isEmpty()) {
            Object[] w = pendingWrites.poll();
            writeData(ctx, (ByteBuf) w[0], (ChannelPromise) w[1]);
        }
        ctx.flush();
    }

    private void readData(ChannelHandlerContext ctx, ByteBuf f) {
        if (f.readableBytes() < 8 + MAC) {
            reject(ctx, "malformed DATA frame from node " + peerId);
            return;
        }
        long seq = f.readLong();
        int payloadLen = f.readableBytes() - MAC;
        ByteBuf payload = f.readSlice(payloadLen);
        byte[] mac = new byte[MAC];
        f.readBytes(mac);
        recvMac.update(ByteBuffer.allocate(8).putLong(seq).array());
        recvMac.update(ByteBufUtil.getBytes(payload));
        byte[] expect = recvMac.doFinal();
        if (!MessageDigest.isEqual(mac, expect)) {
            reject(ctx, "bad frame MAC from node " + peerId);
            return;
        }
        if (seq != recvSeq) {
            reject(ctx, "frame sequence " + seq + " from node " + peerId + ", expected " + recvSeq);
            return;
        }
        recvSeq++;
        ctx.fireChannelRead(payload.retain());
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf)) {
            ctx.write(msg, promise);
            return;
        }
        if (!ready) {
            pendingWrites.add(new Object[] {msg, promise});
            return;
        }
        writeData(ctx, (ByteBuf) msg, promise);
    }

    private void writeData(ChannelHandlerContext ctx, ByteBuf payload, ChannelPromise promise) {
        try {
            long seq = sendSeq++;
            sendMac.update(ByteBuffer.allocate(8).putLong(seq).array());
            sendMac.update(ByteBufUtil.getBytes(payload));
            byte[] mac = sendMac.doFinal();
            ByteBuf out = ctx.alloc().buffer(1 + 8 + payload.readableBytes() + MAC);
            out.writeByte(DATA).writeLong(seq).writeBytes(payload).writeBytes(mac);
            ctx.write(out, promise);
        } finally {
            payload.release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        while (!pendingWrites.isEmpty()) {
            Object[] w = pendingWrites.poll();
            ((ByteBuf) w[0]).release();
            ((ChannelPromise) w[1]).tryFailure(new java.nio.channels.ClosedChannelException());
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        reject(ctx, cause.getClass().getSimpleName() + ": " + cause.getMessage());
    }

    private void reject(ChannelHandlerContext ctx, String reason) {
        LOG.warn("node {}: closing connection {} ({}): {}", selfId, ctx.channel().remoteAddress(),
                client ? "outgoing" : "incoming", reason);
        ctx.close();
    }
}
