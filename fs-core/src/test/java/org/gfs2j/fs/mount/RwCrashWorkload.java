package org.gfs2j.fs.mount;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.gfs2j.journal.testing.CrashHarness;

/**
 * Child JVM of {@link RwCrashTest}: through {@link ReadWriteGfs2Vfs}, creates files in root and
 * in a few directories, writes each once with {@link #content} (from stuffed to height 2), deletes
 * some (printing {@code DELETING path} first), truncates some, and fsyncs most operations; after an
 * fsync it prints {@code ACK CREATE path size} / {@code ACK DELETE path} for what became durable.
 * Args: image, seed.
 */
public final class RwCrashWorkload {
    private RwCrashWorkload() {
    }

    /** The bytes a file of {@code size} named {@code path} holds: reproducible from the name. */
    public static byte[] content(String path, int size) {
        byte[] b = new byte[size];
        new Random(path.hashCode() * 31L + size).nextBytes(b);
        return b;
    }

    private static byte[] n(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    public static void main(String[] args) throws Exception {
        Random rnd = new Random(Long.parseLong(args[1]));
        ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(Path.of(args[0]), MountConfig.of(0));
        long root = vfs.rootIno();
        List<Long> dirs = new ArrayList<>(List.of(root));
        List<String> dirNames = new ArrayList<>(List.of(""));
        List<String> live = new ArrayList<>();
        List<String> unacked = new ArrayList<>();
        System.out.println(CrashHarness.READY);
        System.out.flush();
        for (int i = 0; i < 3000; i++) {
            int op = rnd.nextInt(10);
            if (op == 0 && dirs.size() < 4) {
                String name = "d" + i;
                dirs.add(vfs.mkdir(root, n(name), 0755, 0, 0).ino());
                dirNames.add("/" + name);
            } else if (op < 3 && !live.isEmpty()) {
                String victim = live.remove(rnd.nextInt(live.size()));
                System.out.println("DELETING " + victim);
                System.out.flush();
                int slash = victim.lastIndexOf('/');
                long parent = dirs.get(dirNames.indexOf(victim.substring(0, slash)));
                vfs.unlink(parent, n(victim.substring(slash + 1)));
                unacked.add("ACK DELETE " + victim);
            } else {
                int d = rnd.nextInt(dirs.size());
                String name = "f" + i;
                String path = dirNames.get(d) + "/" + name;
                int size = switch (rnd.nextInt(4)) {
                    case 0 -> rnd.nextInt(3000);
                    case 1 -> rnd.nextInt(100_000);
                    case 2 -> 483 * 4096 + rnd.nextInt(50_000);
                    default -> rnd.nextInt(20_000);
                };
                long ino = vfs.mknod(dirs.get(d), n(name), 0644, 0, 0, 0).ino();
                long h = vfs.open(ino, 1);
                vfs.write(h, 0, ByteBuffer.wrap(content(path, size)));
                vfs.release(h);
                live.add(path);
                unacked.add("ACK CREATE " + path + " " + size);
            }
            if (rnd.nextInt(10) < 7) {
                vfs.fsync(0, false);
                for (String s : unacked) {
                    System.out.println(s);
                }
                System.out.flush();
                unacked.clear();
            }
        }
        vfs.close();
    }
}
