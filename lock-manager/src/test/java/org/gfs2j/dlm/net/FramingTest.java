package org.gfs2j.dlm.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.gfs2j.dlm.proto.DlmMessage;
import org.gfs2j.dlm.proto.Envelope;
import org.gfs2j.dlm.proto.MsgType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The connection pipeline on EmbeddedChannels, bytes shuttled between them in random fragments. */
class FramingTest {
    static final Set<Integer> NODES = Set.of(1, 2, 3);
    final Random rnd = new Random(7);
    final ClusterKey key = ClusterKey.of(bytes(32, 1));

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static EmbeddedChannel channel(boolean client, int self, int peer, ClusterKey key) {
        return new EmbeddedChannel(new ChannelInitializer<EmbeddedChannel>() {
            @Override
            protected void initChannel(EmbeddedChannel ch) {
                DlmPipeline.configure(ch.pipeline(), client, self, peer, NODES, key);
            }
        });
    }

    /** Moves everything written on {@code from} into {@code to} in random 1..7 byte pieces. */
    int shuttle(EmbeddedChannel from, EmbeddedChannel to) {
        ByteBuf all = Unpooled.buffer();
        Object o;
        while ((o = from.readOutbound()) != null) {
            ByteBuf b = (ByteBuf) o;
            all.writeBytes(b);
            b.release();
        }
        int n = all.readableBytes();
        while (all.isReadable() && to.isOpen()) {
            int len = Math.min(all.readableBytes(), 1 + rnd.nextInt(7));
            to.writeInbound(all.readRetainedSlice(len));
        }
        all.release();
        return n;
    }

    void handshake(EmbeddedChannel c, EmbeddedChannel s) {
        for (int i = 0; i < 10; i++) {
            int moved = shuttle(c, s) + shuttle(s, c);
            if (moved == 0) {
                return;
            }
        }
    }

    static Envelope env(int from, int to, long seq, String name) {
        return Envelope.newBuilder().setLockspace("fs").setFrom(from).setTo(to).setSeq(seq).setIncarnation(5)
                .setBody(DlmMessage.newBuilder().setType(MsgType.REQUEST).setLkid((int) seq)
                        .setName(com.google.protobuf.ByteString.copyFromUtf8(name)).setMode(5)).build();
    }

    @Test
    void fragmentedEnvelopesArriveWholeAndInOrder() {
        EmbeddedChannel c = channel(true, 1, 2, key);
        EmbeddedChannel s = channel(false, 2, 0, key);
        handshake(c, s);
        List<Envelope> sent = new ArrayList<>();
        for (int i = 1; i <= 200; i++) {
            Envelope e = env(1, 2, i, "res-" + "x".repeat(i % 60));
            sent.add(e);
            c.writeOutbound(e);
        }
        shuttle(c, s);
        List<Envelope> got = new ArrayList<>();
        Object o;
        while ((o = s.readInbound()) != null) {
            got.add((Envelope) o);
        }
        assertEquals(sent, got);
        assertTrue(s.isOpen() && c.isOpen());
    }

    @Test
    void wrongKeyClosesTheConnection() {
        EmbeddedChannel c = channel(true, 1, 2, ClusterKey.of(bytes(32, 99)));
        EmbeddedChannel s = channel(false, 2, 0, key);
        handshake(c, s);
        assertNull(s.readInbound());
        assertFalse(c.isOpen(), "the client must refuse a server that cannot prove the key");
    }

    @Test
    void unknownNodeIdClosesTheConnection() {
        EmbeddedChannel c = channel(true, 9, 2, key);
        EmbeddedChannel s = channel(false, 2, 0, key);
        handshake(c, s);
        assertFalse(s.isOpen());
    }

    @Test
    void tamperedFrameClosesTheConnection() {
        EmbeddedChannel c = channel(true, 1, 2, key);
        EmbeddedChannel s = channel(false, 2, 0, key);
        handshake(c, s);
        c.writeOutbound(env(1, 2, 1, "abc"));
        ByteBuf all = Unpooled.buffer();
        Object o;
        while ((o = c.readOutbound()) != null) {
            all.writeBytes((ByteBuf) o);
            ((ByteBuf) o).release();
        }
        int pos = all.readableBytes() - 40; // inside the payload
        all.setByte(pos, all.getByte(pos) ^ 0x01);
        s.writeInbound(all);
        assertNull(s.readInbound());
        assertFalse(s.isOpen());
    }

    @Test
    void malformedMessageClosesTheConnection() {
        EmbeddedChannel c = channel(true, 1, 2, key);
        EmbeddedChannel s = channel(false, 2, 0, key);
        handshake(c, s);
        c.writeOutbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff})); // authenticated junk
        shuttle(c, s);
        assertNull(s.readInbound());
        assertFalse(s.isOpen());
    }

    @Test
    void spoofedSenderClosesTheConnection() {
        EmbeddedChannel c = channel(true, 1, 2, key);
        EmbeddedChannel s = channel(false, 2, 0, key);
        handshake(c, s);
        c.writeOutbound(env(3, 2, 1, "a"));
        shuttle(c, s);
        assertNull(s.readInbound());
        assertFalse(s.isOpen());
    }

    @Test
    void oversizedFrameClosesTheConnection() {
        EmbeddedChannel s = channel(false, 2, 0, key);
        ByteBuf b = Unpooled.buffer();
        b.writeInt(DlmPipeline.MAX_FRAME + 1).writeZero(16);
        s.writeInbound(b);
        assertFalse(s.isOpen());
    }

    @Test
    void keyFileMustBeOwnerOnly(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("cluster.key");
        ClusterKey k = ClusterKey.generate(f);
        ClusterKey again = ClusterKey.load(f);
        assertEquals(new String(k.hmac(new byte[] {1})), new String(again.hmac(new byte[] {1})));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        IOException e = assertThrows(IOException.class, () -> ClusterKey.load(f));
        assertTrue(e.getMessage().contains("0600"), e.getMessage());
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(f, "abcd\n");
        assertThrows(IOException.class, () -> ClusterKey.load(f));
    }
}
