package org.gfs2j.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * kill -9 of the mount daemon while a writer creates, writes and fsyncs files (and their
 * directory) in a loop. The writer logs each file only after its fsyncs returned, outside the
 * mount. The stale FUSE mount is left behind; the next {@code gfs2j mount} detaches it, replays
 * the journal, and every logged file reads back intact; after unmounting, fsck.gfs2 -n is clean.
 */
class KillDaemonTest {
    @RegisterExtension
    final GfsMount fs = new GfsMount();

    /** File i: size 1000 + 7919 * i % 300000 bytes of a pattern seeded by i, in directory i / 25. */
    private static final String WRITER = """
            import os, random, sys
            mnt, log = sys.argv[1], sys.argv[2]
            def content(i):
                return random.Random(i).randbytes(1000 + 7919 * i % 300000)
            with open(log, 'a') as acks:
                for i in range(100000):
                    d = os.path.join(mnt, 'd%d' % (i // 25))
                    os.makedirs(d, exist_ok=True)
                    fd = os.open(os.path.join(d, 'f%d' % i), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                    os.write(fd, content(i))
                    os.fsync(fd)
                    os.close(fd)
                    dfd = os.open(d, os.O_RDONLY)
                    os.fsync(dfd)
                    os.close(dfd)
                    acks.write('%d\\n' % i)
                    acks.flush()
            """;

    private static final String CHECK = """
            import os, random, sys
            mnt, log = sys.argv[1], sys.argv[2]
            acked = [int(l) for l in open(log) if l.strip()]
            bad = []
            for i in acked:
                want = random.Random(i).randbytes(1000 + 7919 * i % 300000)
                try:
                    with open(os.path.join(mnt, 'd%d' % (i // 25), 'f%d' % i), 'rb') as f:
                        if f.read() != want:
                            bad.append('f%d differs' % i)
                except OSError as e:
                    bad.append('f%d: %s' % (i, e))
            print('acked %d intact %d' % (len(acked), len(acked) - len(bad)))
            print('\\n'.join(bad[:20]))
            """;

    @Test
    void filesFsyncedBeforeAKillSurviveTheNextMount() throws Exception {
        GfsMount.requireTools("python3");
        fs.formatImage(512);
        fs.mount();
        Path log = fs.scratch().resolve("acked");
        Files.createFile(log);
        Files.writeString(fs.scratch().resolve("writer.py"), WRITER);
        Files.writeString(fs.scratch().resolve("check.py"), CHECK);
        Process writer = new ProcessBuilder("python3", fs.scratch().resolve("writer.py").toString(),
                fs.mountpoint().toString(), log.toString())
                .redirectErrorStream(true).redirectOutput(fs.scratch().resolve("writer.out").toFile()).start();
        try {
            // Kill once a good number of files are acknowledged (polling a file another process appends to).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (Files.readAllLines(log).size() < 60 && writer.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(writer.isAlive(), "the writer ended before the kill: " + Files.readString(fs.scratch().resolve("writer.out")));
            assertEquals(0, GfsMount.run(List.of("kill", "-9", String.valueOf(fs.daemonPid()))).code());
            fs.daemonKilled();
            assertTrue(writer.waitFor(60, TimeUnit.SECONDS), "the writer did not notice the dead mount");
        } finally {
            writer.destroyForcibly();
        }
        int acked = Files.readAllLines(log).size();
        assertFalse(GfsMount.findmnt(fs.mountpoint()).isBlank(), "the killed daemon's mount is left stale");

        String out = fs.mount();
        assertTrue(out.contains("stale mount detached"), out);
        GfsMount.Result check = fs.sh("python3 $S/check.py $M $S/acked").ok("checking the acknowledged files");
        assertTrue(check.out().startsWith("acked " + acked + " intact " + acked + "\n"), check.out());
        System.out.println("KillDaemonTest: " + check.out().lines().findFirst().orElse(""));
        // The file system works on after the replay.
        fs.sh("echo after > $M/after && rm -r $M/d0 && cat $M/after").ok("writing after the replay");
        fs.unmountAndCheck();
    }
}
