package org.gfs2j.bench.fs;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A metadata workload in the manner of mdtest, usable against any directory: {@code files} empty
 * files spread over {@code dirs} shared directories are created, stat'ed, listed, renamed and
 * unlinked by {@code threads} threads, one phase after the other. Thread {@code t} handles the
 * files {@code i} with {@code i % threads == t}; file {@code i} lives in directory
 * {@code i % dirs}, so with several threads every directory is changed concurrently.
 *
 * <p>Caches are dropped before every phase after create, so that stat, readdir, rename and unlink
 * reach the file system instead of the kernel's dentry and attribute caches: otherwise a FUSE
 * target's figures would depend on whether its cache timeouts (1 s by default) expired during
 * the phase before, that is on how fast that phase was.
 *
 * <p>Each phase reports operations per second over its wall time (readdir: entries per second).
 * Every phase checks its own outcome (a listing must see every file, a stat a regular file), so a
 * file system that loses entries fails the workload instead of looking fast.
 */
public final class MetadataWorkload implements Workload {
    /** The phases, in the order they run. */
    public enum Phase { CREATE, STAT, READDIR, RENAME, UNLINK;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final int files;
    private final int dirs;
    private final int threads;
    private int repetition;

    public MetadataWorkload(int files, int dirs, int threads) {
        if (files < 1 || dirs < 1 || threads < 1) {
            throw new IllegalArgumentException("files, dirs and threads must be at least 1");
        }
        this.files = files;
        this.dirs = dirs;
        this.threads = threads;
    }

    @Override
    public String id() {
        return "metadata-" + threads + "t";
    }

    @Override
    public List<Figure> figures() {
        List<Figure> out = new ArrayList<>();
        for (Phase p : Phase.values()) {
            out.add(Figure.higher(id() + "." + p.label(), "metadata " + p.label() + ", " + files + " files in "
                    + dirs + " dirs, " + threads + (threads == 1 ? " thread" : " threads"),
                    p == Phase.READDIR ? "entries/s" : "ops/s", "metadata"));
        }
        return out;
    }

    @Override
    public Map<String, Double> measure(WorkloadContext ctx) throws Exception {
        Map<Phase, Double> rates = run(ctx.dir().resolve("rep" + (repetition++)), files, dirs, threads,
                ctx.caches());
        Map<String, Double> out = new LinkedHashMap<>();
        rates.forEach((p, v) -> out.put(id() + "." + p.label(), v));
        return out;
    }

    /**
     * Runs every phase once under {@code root} (created, and removed again at the end) and returns
     * the rate of each phase.
     */
    public static Map<Phase, Double> run(Path root, int files, int dirs, int threads, CacheDropper caches)
            throws IOException {
        for (int d = 0; d < dirs; d++) {
            Files.createDirectories(root.resolve("d" + d));
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "metadata-workload");
            t.setDaemon(true);
            return t;
        });
        try {
            Map<Phase, Double> rates = new EnumMap<>(Phase.class);
            for (Phase phase : Phase.values()) {
                if (phase != Phase.CREATE) {
                    caches.drop();
                }
                AtomicLong ops = new AtomicLong();
                long t0 = System.nanoTime();
                List<Callable<Void>> tasks = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int self = t;
                    tasks.add(() -> {
                        ops.addAndGet(runPhase(phase, root, files, dirs, threads, self));
                        return null;
                    });
                }
                for (Future<Void> f : pool.invokeAll(tasks)) {
                    f.get();
                }
                double seconds = Math.max((System.nanoTime() - t0) / 1e9, 1e-9);
                if (phase == Phase.READDIR && ops.get() != files) {
                    throw new IOException("readdir saw " + ops.get() + " entries under " + root + ", expected "
                            + files);
                }
                rates.put(phase, ops.get() / seconds);
            }
            for (int d = 0; d < dirs; d++) {
                Files.delete(root.resolve("d" + d)); // fails if unlink left anything behind
            }
            Files.delete(root);
            return rates;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("metadata workload interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof IOException io ? io : new IOException("metadata workload failed: " + c, c);
        } finally {
            pool.shutdownNow();
        }
    }

    /** One thread's share of a phase; returns the operations it did. */
    private static long runPhase(Phase phase, Path root, int files, int dirs, int threads, int self)
            throws IOException {
        long ops = 0;
        if (phase == Phase.READDIR) {
            for (int d = self; d < dirs; d += threads) {
                try (DirectoryStream<Path> s = Files.newDirectoryStream(root.resolve("d" + d))) {
                    for (Path ignored : s) {
                        ops++;
                    }
                }
            }
            return ops;
        }
        for (int i = self; i < files; i += threads) {
            Path dir = root.resolve("d" + (i % dirs));
            Path created = dir.resolve("f" + i);
            Path renamed = dir.resolve("r" + i);
            switch (phase) {
                case CREATE -> Files.createFile(created);
                case STAT -> {
                    BasicFileAttributes a = Files.readAttributes(created, BasicFileAttributes.class,
                            LinkOption.NOFOLLOW_LINKS);
                    if (!a.isRegularFile() || a.size() != 0) {
                        throw new IOException("stat of " + created + ": not the empty regular file created");
                    }
                }
                case RENAME -> Files.move(created, renamed, StandardCopyOption.ATOMIC_MOVE);
                case UNLINK -> Files.delete(renamed);
                default -> throw new IllegalStateException(phase.name());
            }
            ops++;
        }
        return ops;
    }
}
