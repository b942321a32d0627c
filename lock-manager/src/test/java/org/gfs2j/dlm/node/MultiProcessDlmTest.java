package org.gfs2j.dlm.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.gfs2j.dlm.net.ClusterKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three DLM node processes (child JVMs on the test classpath) on loopback ports with the Netty
 * transport: contended and uncontended lock workloads checked through shared counter files, then a
 * node killed while holding EX and the survivors recovering its lock.
 */
class MultiProcessDlmTest {
    @TempDir
    Path dir;

    static final class Child {
        final Process process;
        final PrintWriter in;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        int adminPort;

        Child(Process p) {
            process = p;
            in = new PrintWriter(p.getOutputStream(), true, StandardCharsets.UTF_8);
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = r.readLine()) != null) {
                        lines.add(l);
                    }
                } catch (IOException e) {
                    lines.add("eof " + e.getMessage());
                }
            });
            t.setDaemon(true);
            t.start();
        }

        String next(int seconds) throws InterruptedException {
            String l = lines.poll(seconds, TimeUnit.SECONDS);
            assertNotNull(l, "child gave no answer in " + seconds + " s");
            return l;
        }

        void send(String cmd) {
            in.println(cmd);
        }
    }

    Child spawn(int id, String nodes, Path key) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), DlmChildNode.class.getName(),
                Integer.toString(id), nodes, key.toString());
        pb.redirectError(dir.resolve("node" + id + ".log").toFile());
        return new Child(pb.start());
    }

    @Test
    void threeProcessesContendRecoverFromAKill() throws Exception {
        Path key = dir.resolve("cluster.key");
        ClusterKey.generate(key);
        List<Child> kids = new ArrayList<>();
        try {
            for (int attempt = 1; kids.isEmpty(); attempt++) {
                String spec = Ports.spec(Ports.loopbackNodes(3));
                for (int i = 1; i <= 3; i++) {
                    kids.add(spawn(i, spec, key));
                }
                boolean allReady = true;
                for (Child c : kids) {
                    String ready = c.lines.poll(30, TimeUnit.SECONDS);
                    if (ready == null || !ready.startsWith("ready ")) {
                        allReady = false; // most likely a port taken meanwhile: retry on new ports
                        break;
                    }
                    c.adminPort = Integer.parseInt(ready.substring(6));
                }
                if (!allReady) {
                    for (Child c : kids) {
                        c.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
                    kids.clear();
                    assertTrue(attempt < 3, "node processes did not start; see node*.log in " + dir);
                }
            }
            // contended: one resource, one counter file; lost updates would mean two EX holders at once
            Path shared = dir.resolve("shared.counter");
            for (Child c : kids) {
                c.send("work shared 150 " + shared);
            }
            for (Child c : kids) {
                assertEquals("done 150", c.next(60));
            }
            assertEquals("450", Files.readString(shared));
            // uncontended: one resource per node (mastered where first used: no messages after the first)
            for (int i = 0; i < 3; i++) {
                kids.get(i).send("work own" + i + " 150 " + dir.resolve("own" + i));
            }
            for (int i = 0; i < 3; i++) {
                assertEquals("done 150", kids.get(i).next(60));
                assertEquals("150", Files.readString(dir.resolve("own" + i)));
            }
            // node 3 holds "victim" in EX; node 1 queues for it; node 3 is killed
            Child n3 = kids.get(2);
            n3.send("lock victim");
            assertEquals("granted", n3.next(30));
            kids.get(0).send("lock victim");
            String d1 = "";
            for (int i = 0; i < 200 && !d1.contains("op REQUEST EX QUEUED"); i++) {
                d1 = AdminClient.send(kids.get(0).adminPort, "dump");
                Thread.sleep(50);
            }
            assertTrue(d1.contains("op REQUEST EX QUEUED"), "node 1's request must be queued behind node 3:\n" + d1);
            assertTrue(kids.get(0).lines.isEmpty(), "node 1 must not get the lock while node 3 holds it");
            n3.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            for (int i = 0; i < 2; i++) {
                assertEquals("ok\n", AdminClient.send(kids.get(i).adminPort, "left 3"));
            }
            for (int i = 0; i < 2; i++) {
                assertEquals("ok\n", AdminClient.send(kids.get(i).adminPort, "fenced 3"));
            }
            assertEquals("granted", kids.get(0).next(30), "survivor gets the dead node's lock after recovery");
            String dump = AdminClient.send(kids.get(0).adminPort, "dump") + AdminClient.send(kids.get(1).adminPort, "dump");
            assertTrue(dump.contains("Resource \"victim\""), dump);
            assertTrue(dump.contains("members [1, 2]"), dump);
            // and the survivors keep working together
            Path after = dir.resolve("after.counter");
            kids.get(0).send("work shared 50 " + after);
            kids.get(1).send("work shared 50 " + after);
            assertEquals("done 50", kids.get(0).next(60));
            assertEquals("done 50", kids.get(1).next(60));
            assertEquals("100", Files.readString(after));
        } finally {
            for (Child c : kids) {
                c.process.destroyForcibly();
            }
            for (Child c : kids) {
                c.process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
