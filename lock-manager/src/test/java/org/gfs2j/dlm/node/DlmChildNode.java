package org.gfs2j.dlm.node;

import com.codahale.metrics.MetricRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.gfs2j.dlm.Completion;
import org.gfs2j.dlm.DlmStatus;
import org.gfs2j.dlm.LockMode;
import org.gfs2j.dlm.LockWaiter;
import org.gfs2j.dlm.Lockspace;
import org.gfs2j.dlm.net.ClusterKey;

/**
 * A DLM node process for {@link MultiProcessDlmTest}: {@code ID NODES KEYFILE}; prints
 * {@code ready ADMINPORT}, then runs commands from stdin, one answer line each.
 */
public final class DlmChildNode {
    private static final Duration T = Duration.ofSeconds(60);

    private DlmChildNode() {
    }

    public static void main(String[] args) throws Exception {
        int id = Integer.parseInt(args[0]);
        NodeConfig cfg = new NodeConfig(id, NodeConfig.parseNodes(args[1]), ClusterKey.load(Path.of(args[2])), 0, false);
        try (DlmNode node = new DlmNode(cfg, new MetricRegistry()).start()) {
            Lockspace ls = node.openLockspace("mpfs");
            System.out.println("ready " + node.adminPort());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                String[] w = line.trim().split("\\s+");
                switch (w[0]) {
                    case "work" -> {
                        int n = Integer.parseInt(w[2]);
                        Path file = Path.of(w[3]);
                        LockWaiter waiter = new LockWaiter();
                        for (int i = 0; i < n; i++) {
                            Completion c = LockWaiter.lock(ls, w[1].getBytes(StandardCharsets.US_ASCII), LockMode.EX, 0, waiter, T);
                            if (c.status() != DlmStatus.OK) {
                                throw new IllegalStateException("lock failed: " + c);
                            }
                            long v = Files.exists(file) ? Long.parseLong(Files.readString(file).trim()) : 0;
                            Files.writeString(file, Long.toString(v + 1));
                            ls.unlock(c.lockId(), 0, null);
                            if (waiter.await(T).status() != DlmStatus.EUNLOCK) {
                                throw new IllegalStateException("unlock failed");
                            }
                        }
                        System.out.println("done " + n);
                    }
                    case "lock" -> {
                        Completion c = LockWaiter.lock(ls, w[1].getBytes(StandardCharsets.US_ASCII), LockMode.EX, 0, new LockWaiter(), T);
                        System.out.println(c.status() == DlmStatus.OK ? "granted" : "failed " + c);
                    }
                    case "quit" -> {
                        return;
                    }
                    default -> System.out.println("error unknown command " + w[0]);
                }
            }
        }
    }
}
