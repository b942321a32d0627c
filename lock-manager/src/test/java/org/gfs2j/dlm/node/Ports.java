package org.gfs2j.dlm.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.TreeMap;

/** Free loopback ports for test clusters. */
final class Ports {
    private Ports() {
    }

    private static final java.util.Random RANDOM = new java.util.Random();

    /**
     * A port below the kernel's ephemeral range (so outgoing connections of other tests cannot take
     * it between this probe and the node's bind) that is free right now. Callers still retry when
     * the bind fails, since another process may take it meanwhile.
     */
    static int free() {
        for (int i = 0; i < 200; i++) {
            int port = 20000 + RANDOM.nextInt(12000);
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException e) {
                // taken: try another
            }
        }
        throw new UncheckedIOException(new IOException("no free loopback port found"));
    }

    static Map<Integer, InetSocketAddress> loopbackNodes(int count) {
        Map<Integer, InetSocketAddress> m = new TreeMap<>();
        for (int i = 1; i <= count; i++) {
            m.put(i, new InetSocketAddress(InetAddress.getLoopbackAddress(), free()));
        }
        return m;
    }

    static String spec(Map<Integer, InetSocketAddress> nodes) {
        StringBuilder sb = new StringBuilder();
        nodes.forEach((id, a) -> sb.append(sb.length() == 0 ? "" : ",").append(id).append("=127.0.0.1:").append(a.getPort()));
        return sb.toString();
    }
}
