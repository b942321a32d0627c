package org.gfs2j.dlm.node;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's local admin endpoint: a TCP port bound to the loopback address only; one command
 * line per connection, the answer, then the connection closes.
 *
 * <pre>
 * dump            lock dump of every lockspace (resources, master, queues, LVB; own locks)
 * metrics         the DLM metrics
 * status          "running" or "recovering"
 * left N | fenced N | joined N    membership input
 * </pre>
 */
final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    private final DlmNode node;
    private final ServerSocket socket;
    private final Thread thread;

    AdminServer(DlmNode node, int port) throws IOException {
        this.node = node;
        socket = new ServerSocket();
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        thread = new Thread(this::serve, "dlm-admin-" + node.nodeId());
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    private void serve() {
        while (!socket.isClosed()) {
            try (Socket s = socket.accept()) {
                s.setSoTimeout(5000);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8);
                String line = in.readLine();
                out.print(answer(line == null ? "" : line.trim()));
                out.flush();
            } catch (SocketTimeoutException e) {
                LOG.debug("admin client timed out");
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    LOG.warn("admin connection failed: {}", e.getMessage());
                }
            }
        }
    }

    String answer(String line) {
        String[] w = line.split("\\s+");
        try {
            switch (w[0]) {
                case "dump":
                    return node.dump();
                case "status":
                    return (node.isRunning() ? "running" : "recovering") + "\n";
                case "metrics":
                    return metrics();
                case "left":
                    node.nodeLeft(Integer.parseInt(w[1]));
                    return "ok\n";
                case "fenced":
                    node.nodeFenced(Integer.parseInt(w[1]));
                    return "ok\n";
                case "joined":
                    node.nodeJoined(Integer.parseInt(w[1]));
                    return "ok\n";
                default:
                    return "error: unknown command '" + w[0] + "' (dump, metrics, status, left N, fenced N, joined N)\n";
            }
        } catch (RuntimeException e) {
            return "error: " + e.getMessage() + "\n";
        }
    }

    private String metrics() {
        StringBuilder sb = new StringBuilder();
        node.metrics().getMeters().forEach((k, m) -> sb.append(k).append(" count=").append(m.getCount()).append('\n'));
        node.metrics().getTimers().forEach((k, t) -> sb.append(k).append(" count=").append(t.getCount())
                .append(" p50_us=").append(t.getSnapshot().getMedian() / 1000)
                .append(" p99_us=").append(t.getSnapshot().get99thPercentile() / 1000).append('\n'));
        node.metrics().getHistograms().forEach((k, h) -> sb.append(k).append(" count=").append(h.getCount())
                .append(" max=").append(h.getSnapshot().getMax()).append('\n'));
        return sb.toString();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("closing admin socket: {}", e.getMessage());
        }
    }
}
