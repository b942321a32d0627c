package org.gfs2j.fs.xattr;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.gfs2j.fs.mount.MountConfig;
import org.gfs2j.fs.mount.ReadWriteGfs2Vfs;
import org.gfs2j.fs.vfs.FsException;
import org.gfs2j.journal.testing.CrashHarness;

/**
 * Child JVM of {@link XattrCrashTest}: on file {@code /x}, sets, replaces and removes attributes
 * of every size class (stuffed, across the boundary, ED-backed up to 64 KiB) and in between writes
 * small data files into the blocks that removals free. Before each operation it prints
 * {@code OP index SET name size}, {@code OP index REMOVE name} or {@code OP index FILE path size};
 * after an fsync {@code ACK index} (everything up to index is durable). Args: image, seed.
 */
public final class XattrCrashWorkload {
    private XattrCrashWorkload() {
    }

    /** The value an attribute (or the bytes a file) of {@code size} holds: reproducible from the name. */
    public static byte[] content(String name, int size) {
        byte[] b = new byte[size];
        new Random(name.hashCode() * 31L + size).nextBytes(b);
        return b;
    }

    static int size(Random rnd) {
        return switch (rnd.nextInt(5)) {
            case 0 -> rnd.nextInt(100);
            case 1 -> 4000 + rnd.nextInt(100);
            case 2 -> 4056 + rnd.nextInt(20_000);
            case 3 -> 65536;
            default -> rnd.nextInt(2000);
        };
    }

    public static void main(String[] args) throws Exception {
        Random rnd = new Random(Long.parseLong(args[1]));
        ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(Path.of(args[0]), MountConfig.of(0));
        long root = vfs.rootIno();
        long x = vfs.mknod(root, "x".getBytes(StandardCharsets.UTF_8), 0100644, 0, 0, 0).ino();
        vfs.fsync(0, false);
        List<String> names = new ArrayList<>();
        System.out.println(CrashHarness.READY);
        System.out.flush();
        for (int i = 0; i < 5000; i++) {
            int op = rnd.nextInt(10);
            if (op < 2 && !names.isEmpty()) {
                String name = names.remove(rnd.nextInt(names.size()));
                say("OP " + i + " REMOVE " + name);
                vfs.removexattr(x, name);
            } else if (op < 4) {
                String path = "f" + i;
                int size = rnd.nextInt(3) == 0 ? rnd.nextInt(3000) : 4096 * (1 + rnd.nextInt(8));
                say("OP " + i + " FILE " + path + " " + size);
                long ino = vfs.mknod(root, path.getBytes(StandardCharsets.UTF_8), 0100644, 0, 0, 0).ino();
                long h = vfs.open(ino, 1);
                vfs.write(h, 0, ByteBuffer.wrap(content(path, size)));
                vfs.release(h);
            } else {
                String name = op < 7 && !names.isEmpty() ? names.get(rnd.nextInt(names.size())) : "user.a" + i;
                int size = size(rnd);
                say("OP " + i + " SET " + name + " " + size);
                try {
                    vfs.setxattr(x, name, content(name, size), 0);
                } catch (FsException e) {
                    if (e.errno() != FsException.ENOSPC) {
                        throw e;
                    }
                    break;
                }
                if (!names.contains(name)) {
                    names.add(name);
                }
            }
            if (rnd.nextInt(10) < 6) {
                vfs.fsync(0, false);
                say("ACK " + i);
            }
        }
        vfs.close();
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
