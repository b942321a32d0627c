package org.gfs2j.dlm.node;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.TreeMap;
import org.gfs2j.dlm.net.ClusterKey;

/**
 * A node's view of the static cluster: its id, every node's DLM address, the cluster key, the
 * admin port (loopback only; -1 for none, 0 for any free port) and whether it joins a running
 * cluster (then the others must be told {@code nodeJoined}).
 */
public record NodeConfig(int nodeId, Map<Integer, InetSocketAddress> nodes, ClusterKey key, int adminPort, boolean joining) {
    public NodeConfig {
        nodes = new TreeMap<>(nodes);
        if (!nodes.containsKey(nodeId)) {
            throw new IllegalArgumentException("node " + nodeId + " is not in the node list " + nodes.keySet());
        }
        for (int id : nodes.keySet()) {
            if (id <= 0) {
                throw new IllegalArgumentException("node ids must be positive: " + id);
            }
        }
    }

    /** Parses {@code 1=127.0.0.1:21064,2=127.0.0.1:21065}. */
    public static Map<Integer, InetSocketAddress> parseNodes(String spec) {
        Map<Integer, InetSocketAddress> out = new TreeMap<>();
        for (String part : spec.split(",")) {
            String p = part.trim();
            int eq = p.indexOf('=');
            int colon = p.lastIndexOf(':');
            if (eq <= 0 || colon < eq) {
                throw new IllegalArgumentException("bad node entry '" + p + "', want ID=HOST:PORT");
            }
            out.put(Integer.parseInt(p.substring(0, eq)),
                    new InetSocketAddress(p.substring(eq + 1, colon), Integer.parseInt(p.substring(colon + 1))));
        }
        return out;
    }
}
