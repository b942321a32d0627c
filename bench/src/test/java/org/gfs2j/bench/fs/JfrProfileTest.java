package org.gfs2j.bench.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The --profile summary: a recording of known work, cut into windows, names that work and nothing outside. */
class JfrProfileTest {
    @TempDir
    Path dir;

    private static volatile long sink;

    @Test
    void summaryNamesTheHotMethodAndTheLockWaitOfEachWindowOnly() throws Exception {
        Path file = dir.resolve("test.jfr");
        Configuration config = Configuration.create(new StringReader(JfrProfile.settingsXml()));
        JfrProfile.Window cpu;
        JfrProfile.Window lock;
        try (Recording r = new Recording(config)) {
            r.start();
            burnOutsideTheWindows(300);
            Instant a = Instant.now();
            burnCpuInWindow(800);
            cpu = new JfrProfile.Window("cpu", a, Instant.now());
            Instant b = Instant.now();
            waitForLockInWindow(300);
            forceInWindow(dir.resolve("synced"));
            lock = new JfrProfile.Window("lock", b, Instant.now());
            burnOutsideTheWindows(300);
            r.stop();
            r.dump(file);
        }
        List<JfrProfile.WorkloadProfile> p = JfrProfile.summarize(file, List.of(cpu, lock));
        assertEquals(List.of("cpu", "lock"), p.stream().map(JfrProfile.WorkloadProfile::workload).toList());
        String cpuText = String.join("\n", p.get(0).lines());
        String lockText = String.join("\n", p.get(1).lines());
        assertTrue(cpuText.contains("JfrProfileTest.burnCpuInWindow"), cpuText);
        assertFalse(cpuText.contains("burnOutsideTheWindows"), cpuText);
        assertTrue(lockText.contains("JfrProfileTest.waitForLockInWindow"), lockText);
        assertTrue(lockText.contains("ReentrantLock"), lockText);
        assertTrue(lockText.contains("fsyncs 3 ("), lockText);
        assertTrue(lockText.contains("asked for them: `JfrProfileTest.forceInWindow` 100%"), lockText);
        assertFalse(lockText.contains("burnOutsideTheWindows"), lockText);
    }

    @Test
    void daemonOptionsPointAtTheRecordingAndWriteTheSettings() throws Exception {
        Path rec = dir.resolve("daemon.jfr");
        String opts = JfrProfile.daemonJavaOptions(rec);
        assertTrue(opts.startsWith("-XX:StartFlightRecording=filename=" + rec + ",settings="), opts);
        assertTrue(Files.readString(dir.resolve("gfs2j.jfc")).contains("jdk.ExecutionSample"));
        Configuration.create(dir.resolve("gfs2j.jfc")); // a settings file the JVM accepts
    }

    // Two copies of the same loop, so that each shows up under its own name.
    private static void burnCpuInWindow(long millis) {
        long end = System.nanoTime() + millis * 1_000_000;
        long x = 1;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 10_000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
            }
        }
        sink = x;
    }

    private static void burnOutsideTheWindows(long millis) {
        long end = System.nanoTime() + millis * 1_000_000;
        long x = 1;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 10_000; i++) {
                x = x * 6364136223846793005L + 1442695040888963407L;
            }
        }
        sink = x;
    }

    private static void forceInWindow(Path file) throws Exception {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
            for (int i = 0; i < 3; i++) {
                ch.write(java.nio.ByteBuffer.wrap(new byte[] {(byte) i}), i);
                ch.force(false);
            }
        }
    }

    private static void waitForLockInWindow(long millis) throws Exception {
        ReentrantLock l = new ReentrantLock();
        CountDownLatch held = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            l.lock();
            try {
                held.countDown();
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                l.unlock();
            }
        });
        holder.start();
        held.await();
        l.lock(); // parks until the holder lets go
        l.unlock();
        holder.join();
    }
}
