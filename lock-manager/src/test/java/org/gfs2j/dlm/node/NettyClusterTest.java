package org.gfs2j.dlm.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.gfs2j.dlm.Completion;
import org.gfs2j.dlm.DlmStatus;
import org.gfs2j.dlm.LockFlags;
import org.gfs2j.dlm.LockMode;
import org.gfs2j.dlm.LockWaiter;
import org.gfs2j.dlm.Lockspace;
import org.gfs2j.dlm.net.ClusterKey;
import org.gfs2j.dlm.net.DlmPipeline;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three {@link DlmNode}s in this JVM talking over loopback TCP through the real pipeline. */
class NettyClusterTest {
    static final Duration T = Duration.ofSeconds(20);
    @TempDir
    Path dir;
    final List<DlmNode> nodes = new ArrayList<>();
    final List<Lockspace> ls = new ArrayList<>();
    Map<Integer, InetSocketAddress> addrs;
    ClusterKey key;

    @BeforeEach
    void start() throws Exception {
        key = ClusterKey.generate(dir.resolve("cluster.key"));
        for (int attempt = 1; ; attempt++) {
            addrs = Ports.loopbackNodes(3);
            try {
                for (int i = 1; i <= 3; i++) {
                    DlmNode n = new DlmNode(new NodeConfig(i, addrs, ClusterKey.load(dir.resolve("cluster.key")), 0, false),
                            new MetricRegistry()).start();
                    nodes.add(n);
                    ls.add(n.openLockspace("fs"));
                }
                return;
            } catch (java.io.IOException e) {
                nodes.forEach(DlmNode::close); // a port was taken meanwhile: new ports
                nodes.clear();
                ls.clear();
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    @AfterEach
    void stop() {
        nodes.forEach(DlmNode::close);
    }

    static byte[] name(String s) {
        return s.getBytes();
    }

    @Test
    void exclusiveLockMovesBetweenNodesWithBlockingCallbacksAndValue() throws Exception {
        Lockspace a = ls.get(0);
        Lockspace b = ls.get(1);
        Lockspace c = ls.get(2);
        byte[] value = new byte[32];
        value[3] = 77;
        LockWaiter[] holderA = new LockWaiter[1];
        holderA[0] = new LockWaiter((id, wanted) -> a.unlock(id, LockFlags.VALBLK, value));
        Completion ga = LockWaiter.lock(a, name("r1"), LockMode.EX, LockFlags.VALBLK, holderA[0], T);
        assertEquals(DlmStatus.OK, ga.status());
        LockWaiter wb = new LockWaiter();
        Completion gb = LockWaiter.lock(b, name("r1"), LockMode.PR, LockFlags.VALBLK, wb, T);
        assertEquals(DlmStatus.OK, gb.status(), "node 2 gets the lock after node 1 gives it up on the blocking callback");
        assertArrayEquals(value, gb.lvb(), "the value written by node 1's unlock reaches node 2");
        assertEquals(DlmStatus.EUNLOCK, holderA[0].await(T).status());
        LockWaiter wc = new LockWaiter();
        Completion gc = LockWaiter.lock(c, name("r1"), LockMode.PR, LockFlags.VALBLK, wc, T);
        assertEquals(DlmStatus.OK, gc.status());
        assertArrayEquals(value, gc.lvb());
        Completion refused = LockWaiter.lock(c, name("r1"), LockMode.EX, LockFlags.NOQUEUE, new LockWaiter(), T);
        assertEquals(DlmStatus.EAGAIN, refused.status());
        String dump = AdminClient.send(nodes.get(0).adminPort(), "dump")
                + AdminClient.send(nodes.get(1).adminPort(), "dump") + AdminClient.send(nodes.get(2).adminPort(), "dump");
        assertTrue(dump.contains("Resource \"r1\""), dump);
        assertTrue(AdminClient.send(nodes.get(1).adminPort(), "metrics").contains("dlm.fs.requests"));
    }

    @Test
    void badConnectionsAreClosedWhileTheNodeKeepsServing() throws Exception {
        // garbage bytes
        try (Socket s = new Socket(addrs.get(1).getAddress(), addrs.get(1).getPort())) {
            OutputStream out = s.getOutputStream();
            byte[] junk = new byte[64];
            new Random(1).nextBytes(junk);
            junk[0] = 0;
            junk[1] = 0;
            junk[2] = 0;
            junk[3] = 20;
            out.write(junk);
            out.flush();
            assertEquals(-1, s.getInputStream().read(), "node 1 must close a connection sending junk");
        }
        // a client with the wrong cluster key claiming to be node 2
        EventLoopGroup g = new NioEventLoopGroup(1);
        try {
            Channel ch = new Bootstrap().group(g).channel(NioSocketChannel.class).handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel c) {
                    DlmPipeline.configure(c.pipeline(), true, 2, 1, addrs.keySet(), ClusterKey.of(new byte[32]));
                }
            }).connect(addrs.get(1)).sync().channel();
            assertTrue(ch.closeFuture().await(10_000), "a wrong-key connection must be closed");
        } finally {
            g.shutdownGracefully().sync();
        }
        // the node still serves the others
        LockWaiter w1 = new LockWaiter((id, m) -> ls.get(1).unlock(id, 0, null));
        assertEquals(DlmStatus.OK, LockWaiter.lock(ls.get(1), name("after"), LockMode.EX, 0, w1, T).status());
        assertEquals(DlmStatus.OK, LockWaiter.lock(ls.get(0), name("after"), LockMode.EX, 0, new LockWaiter(), T).status());
    }

    @Test
    void survivorsRecoverTheLocksOfAFailedNode() throws Exception {
        byte[] value = new byte[32];
        value[0] = 5;
        // node 3 writes a value, then holds EX and dies
        LockWaiter w3 = new LockWaiter();
        Completion g3 = LockWaiter.lock(ls.get(2), name("victim"), LockMode.EX, LockFlags.VALBLK, w3, T);
        ls.get(2).convert(g3.lockId(), LockMode.NL, LockFlags.VALBLK, value);
        w3.await(T);
        ls.get(2).convert(g3.lockId(), LockMode.EX, LockFlags.VALBLK, null);
        w3.await(T);
        java.util.concurrent.BlockingQueue<String> hooks = new java.util.concurrent.LinkedBlockingQueue<>();
        ls.get(0).setRecoveryListener(new org.gfs2j.dlm.RecoveryListener() {
            @Override
            public void recoverPrep() {
                hooks.add("prep");
            }

            @Override
            public void recoverDone(java.util.Set<Integer> members, java.util.Set<Integer> departed, long epoch) {
                hooks.add("done " + members + " " + departed);
            }
        });
        LockWaiter w1 = new LockWaiter();
        ls.get(0).lock(name("victim"), LockMode.PR, LockFlags.VALBLK, w1);
        nodes.get(2).close();
        for (int i = 0; i < 2; i++) {
            AdminClient.send(nodes.get(i).adminPort(), "left 3");
        }
        for (int i = 0; i < 2; i++) {
            AdminClient.send(nodes.get(i).adminPort(), "fenced 3");
        }
        Completion g1 = w1.await(T);
        assertEquals("prep", hooks.poll(10, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals("done [1, 2] [3]", hooks.poll(10, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(DlmStatus.OK, g1.status(), "node 1's queued request is granted once node 3's lock is purged");
        assertTrue(g1.valueInvalid() || java.util.Arrays.equals(new byte[32], g1.lvb()),
                "a value a dead EX holder may have changed is not trusted");
        assertTrue(nodes.get(0).isRunning() && nodes.get(1).isRunning());
        LockWaiter w2 = new LockWaiter((id, m) -> ls.get(1).unlock(id, 0, null));
        assertEquals(DlmStatus.OK, LockWaiter.lock(ls.get(1), name("fresh"), LockMode.EX, 0, w2, T).status());
    }

    @Test
    void aRestartedNodeRejoins() throws Exception {
        LockWaiter w3 = new LockWaiter();
        assertEquals(DlmStatus.OK, LockWaiter.lock(ls.get(2), name("shared"), LockMode.EX, 0, w3, T).status());
        nodes.get(2).close();
        for (int i = 0; i < 2; i++) {
            AdminClient.send(nodes.get(i).adminPort(), "left 3");
            AdminClient.send(nodes.get(i).adminPort(), "fenced 3");
        }
        LockWaiter w1 = new LockWaiter((id, m) -> ls.get(0).unlock(id, 0, null));
        assertEquals(DlmStatus.OK, LockWaiter.lock(ls.get(0), name("shared"), LockMode.EX, 0, w1, T).status());
        // node 3 comes back as a new process incarnation and joins
        DlmNode again = new DlmNode(new NodeConfig(3, addrs, key, 0, true), new MetricRegistry()).start();
        nodes.set(2, again);
        Lockspace l3 = again.openLockspace("fs");
        for (int i = 0; i < 2; i++) {
            assertEquals("ok\n", AdminClient.send(nodes.get(i).adminPort(), "joined 3"));
        }
        LockWaiter w3b = new LockWaiter();
        Completion g = LockWaiter.lock(l3, name("shared"), LockMode.EX, 0, w3b, T);
        assertEquals(DlmStatus.OK, g.status(), "the rejoined node gets the lock after node 1 gives it up");
        assertEquals(DlmStatus.EUNLOCK, w1.await(T).status());
        assertTrue(again.dump().contains("members [1, 2, 3]"), again.dump());
        assertTrue(nodes.get(0).dump().contains("members [1, 2, 3]"));
    }

    @Test
    void lostConnectionsBetweenLiveNodesLoseNoMessage() throws Exception {
        // node 1 and node 2 pass an EX lock back and forth while their connections keep breaking
        byte[] r = name("flaky");
        for (int i = 0; i < 40; i++) {
            Lockspace l = ls.get(i % 2);
            LockWaiter w = new LockWaiter();
            Completion c = LockWaiter.lock(l, r, LockMode.EX, 0, w, T);
            assertEquals(DlmStatus.OK, c.status(), "round " + i);
            if (i % 3 == 0) {
                nodes.get(i % 2).dropConnections();
            }
            l.unlock(c.lockId(), 0, null);
            assertEquals(DlmStatus.EUNLOCK, w.await(T).status(), "round " + i);
            if (i % 5 == 0) {
                nodes.get((i + 1) % 2).dropConnections();
            }
        }
        assertTrue(nodes.get(0).isRunning() && nodes.get(1).isRunning());
    }
}
