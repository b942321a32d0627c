package org.gfs2j.bench.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Many small files, as a mail spool or a source tree: write each (4 to 64 KiB) and fsync it, then
 * with cold caches read every file back and check its bytes. Reports files per second for each
 * phase. The sizes and contents come from a fixed seed, so every target gets the same files.
 */
public final class SmallFileWorkload implements Workload {
    public static final String ID = "small-files";
    private static final int MIN_SIZE = 4 << 10;
    private static final int MAX_SIZE = 64 << 10;
    private static final int FILES_PER_DIR = 100;

    private final int files;
    private final int[] sizes;
    private final int[] offsets;
    private final byte[] pool;
    private int repetition;

    public SmallFileWorkload(int files) {
        if (files < 1) {
            throw new IllegalArgumentException("files must be at least 1");
        }
        this.files = files;
        Random rnd = new Random(0x5EED);
        this.pool = new byte[1 << 20];
        rnd.nextBytes(pool);
        this.sizes = new int[files];
        this.offsets = new int[files];
        for (int i = 0; i < files; i++) {
            sizes[i] = MIN_SIZE + rnd.nextInt(MAX_SIZE - MIN_SIZE + 1);
            offsets[i] = rnd.nextInt(pool.length - sizes[i]);
        }
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<Figure> figures() {
        return List.of(
                Figure.higher(ID + ".write", files + " files of 4-64 KiB: write + fsync each", "files/s", "small files"),
                Figure.higher(ID + ".read", files + " files of 4-64 KiB: read back, cold", "files/s", "small files"));
    }

    @Override
    public Map<String, Double> measure(WorkloadContext ctx) throws Exception {
        Path root = ctx.dir().resolve("rep" + (repetition++));
        int dirs = (files + FILES_PER_DIR - 1) / FILES_PER_DIR;
        for (int d = 0; d < dirs; d++) {
            Files.createDirectories(root.resolve("d" + d));
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < files; i++) {
            try (FileChannel ch = FileChannel.open(path(root, i), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(pool, offsets[i], sizes[i]);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
        }
        double writeSeconds = (System.nanoTime() - t0) / 1e9;

        ctx.caches().drop();
        long t1 = System.nanoTime();
        for (int i = 0; i < files; i++) {
            byte[] got = Files.readAllBytes(path(root, i));
            if (!Arrays.equals(got, 0, got.length, pool, offsets[i], offsets[i] + sizes[i])) {
                throw new IOException("small file " + path(root, i) + " read back differs from what was written ("
                        + got.length + " bytes read, " + sizes[i] + " written)");
            }
        }
        double readSeconds = (System.nanoTime() - t1) / 1e9;
        FileTrees.deleteRecursively(root);

        Map<String, Double> out = new LinkedHashMap<>();
        out.put(ID + ".write", files / writeSeconds);
        out.put(ID + ".read", files / readSeconds);
        return out;
    }

    private static Path path(Path root, int i) {
        return root.resolve("d" + (i / FILES_PER_DIR)).resolve("f" + i);
    }
}
