package org.gfs2j.fs.alloc;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.gfs2j.journal.testing.CrashHarness;

/**
 * Child JVM of {@link AllocCrashTest}: creates files with freshly allocated blocks in root, deletes
 * some, syncs statfs now and then, and fsyncs most operations. After each fsync it prints
 * {@code ACK CREATE name dinode blocks} / {@code ACK DELETE name} for every operation that fsync
 * made durable, and {@code DELETING name} before a delete starts (it may survive a kill before
 * its fsync). Args: image, seed.
 */
public final class AllocCrashWorkload {
    private AllocCrashWorkload() {
    }

    public static void main(String[] args) throws Exception {
        Path image = Path.of(args[0]);
        Random rnd = new Random(Long.parseLong(args[1]));
        TestMount m = TestMount.open(image, 128);
        FileOps ops = new FileOps(m);
        List<String> live = new ArrayList<>();
        List<String> unacked = new ArrayList<>();
        System.out.println(CrashHarness.READY);
        System.out.flush();
        for (int i = 0; i < 2000; i++) {
            int op = rnd.nextInt(10);
            if (op < 2 && !live.isEmpty()) {
                String victim = live.remove(rnd.nextInt(live.size()));
                // a delete committed but not yet fsynced may or may not survive the kill
                System.out.println("DELETING " + victim);
                System.out.flush();
                ops.delete(victim);
                unacked.add("ACK DELETE " + victim);
            } else if (op == 2) {
                m.statfs.sync();
            } else {
                Rgrp rg = m.rgrps.get(rnd.nextInt(m.rgrps.size()));
                int n = 1 + rnd.nextInt(16);
                String name = "f" + i;
                FileOps.Created c = ops.create(name, rg.index().data0(), n);
                live.add(name);
                unacked.add("ACK CREATE " + name + " " + c.inum().addr() + " " + n);
            }
            if (rnd.nextInt(10) < 7) {
                m.log.fsync();
                for (String s : unacked) {
                    System.out.println(s);
                }
                System.out.flush();
                unacked.clear();
            }
        }
        m.close();
    }
}
