package org.gfs2j.fs.model;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Random;
import java.util.stream.Stream;
import org.gfs2j.fs.alloc.TestMount;
import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.mount.MountConfig;
import org.gfs2j.fs.mount.ReadWriteGfs2Vfs;
import org.gfs2j.fs.testing.Gfs2Tools;
import org.gfs2j.fs.vfs.InodeAttributes;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Model-based random test of the read-write file system: thousands of seeded random operations
 * ({@link RandomOps}: namespace, data at sparse far offsets, truncation, attributes with
 * nanoseconds, lookups of missing names, every errno case) against {@link ReadWriteGfs2Vfs} and
 * a {@link PosixModel}; each result and errno is compared. Midway the file system is unmounted,
 * checked ({@code fsck.gfs2 -n}, the offline read path against the model) and mounted again;
 * at the end the mounted VFS, fsck and the offline read path must all equal the model.
 *
 * <p>Reproduce a failure with {@code -Dgfs2j.model.seed=N} (and {@code -Dgfs2j.model.ops=N});
 * the seed of every run is printed.
 */
class ModelBasedTest {
    @TempDir
    Path dir;

    static Stream<Arguments> runs() {
        Long seed = Long.getLong("gfs2j.model.seed");
        int ops = Integer.getInteger("gfs2j.model.ops", 0);
        if (seed != null) {
            // -Dgfs2j.model.seed=N [-Dgfs2j.model.seeds=COUNT]: every profile with seeds N, N+1, ...
            int count = Integer.getInteger("gfs2j.model.seeds", 1);
            return java.util.stream.LongStream.range(seed, seed + count).boxed().flatMap(s -> Stream.of(
                    Arguments.of(RandomOps.NAMESPACE, s, ops > 0 ? ops : 6000),
                    Arguments.of(RandomOps.DATA, s, ops > 0 ? ops : 3000),
                    Arguments.of(RandomOps.BIG_DIRS, s, ops > 0 ? ops : 6000)));
        }
        return Stream.of(
                Arguments.of(RandomOps.NAMESPACE, 20261124_01L, 6000),
                Arguments.of(RandomOps.NAMESPACE, 20261124_11L, 6000),
                Arguments.of(RandomOps.DATA, 20261124_02L, 3000),
                Arguments.of(RandomOps.BIG_DIRS, 20261124_03L, 6000));
    }

    @ParameterizedTest(name = "{0} seed={1} ops={2}")
    @MethodSource("runs")
    void randomOperationsMatchThePosixModel(RandomOps.Profile profile, long seed, int ops) throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        System.out.println("ModelBasedTest " + profile.name() + " seed=" + seed + " ops=" + ops
                + " (rerun: -Dgfs2j.model.seed=" + seed + " -Dtest=ModelBasedTest)");
        Path img = TestMount.mkfs(dir, "model.img", 256, 64, 4096);
        Random rnd = new Random(seed);
        EnumSet<RandomOps.Kind> kinds = RandomOps.ENABLED;
        PosixModel model;
        RandomOps driver;
        long t0 = System.nanoTime();
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            InodeAttributes root = vfs.getattr(vfs.rootIno());
            model = new PosixModel(root.ino(), root.mode() & 07777, root.uid(), root.gid());
            driver = new RandomOps(rnd, model, profile, kinds, vfs);
            run(driver, ops / 2, 0, seed);
        }
        verifyImage(img, model, seed, "after the first half");
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            driver.vfs = vfs;
            ModelCheck.viaVfs(vfs, model);
            run(driver, ops - ops / 2, ops / 2, seed);
            ModelCheck.viaVfs(vfs, model);
        }
        verifyImage(img, model, seed, "at the end");
        StringBuilder sb = new StringBuilder();
        for (RandomOps.Kind k : RandomOps.Kind.values()) {
            if (driver.done[k.ordinal()] > 0) {
                sb.append(' ').append(k).append('=').append(driver.done[k.ordinal()])
                        .append("(err ").append(driver.failedAsExpected[k.ordinal()]).append(')');
            }
        }
        System.out.printf("ModelBasedTest %s seed=%d: %d inodes at the end, %.1f s;%s%n", profile.name(), seed,
                model.size(), (System.nanoTime() - t0) / 1e9, sb);
    }

    private static void run(RandomOps driver, int count, int first, long seed) throws Exception {
        for (int i = first; i < first + count; i++) {
            RandomOps.Kind k = driver.draw();
            driver.context = "seed " + seed + " op " + i + ":";
            try {
                driver.step(k);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\n" + driver.historyOf(e.getMessage()), e);
            }
            driver.history.add(driver.context);
        }
    }

    private static void verifyImage(Path img, PosixModel model, long seed, String when) throws Exception {
        try {
            Gfs2Tools.assertFsckClean(img);
            try (FileSystemReader r = FileSystemReader.open(img)) {
                ModelCheck.viaReader(r, model);
            }
        } catch (AssertionError e) {
            throw new AssertionError("seed " + seed + ", " + when + ": " + e.getMessage(), e);
        }
    }
}
