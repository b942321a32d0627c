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

    static int free() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
