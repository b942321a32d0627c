package org.gfs2j.fs.model;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.gfs2j.fs.alloc.TestMount;
import org.gfs2j.fs.meta.DeviceBlockSource;
import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.meta.Inode;
import org.gfs2j.fs.meta.NoSuchPathException;
import org.gfs2j.fs.mkfs.Mkfs;
import org.gfs2j.fs.mkfs.MkfsOptions;
import org.gfs2j.fs.mount.Gfs2FileSystem;
import org.gfs2j.fs.mount.MountConfig;
import org.gfs2j.fs.mount.ReadWriteGfs2Vfs;
import org.gfs2j.fs.testing.Gfs2Tools;
import org.gfs2j.fs.vfs.FsException;
import org.gfs2j.journal.log.FlushPolicy;
import org.gfs2j.journal.testing.MemoryDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash points, in process: a seeded read-write workload (creates, writes from stuffed to height
 * 2 and sparse far offsets, truncations, unlinks of files with blocks, renames over victims,
 * mkdir/rmdir, symlinks, chmod, fsync every few operations) runs on a {@link MemoryDevice} that
 * records every write and flush. Then, for each of {@value #DEFAULT_POINTS} (or
 * {@code -Dgfs2j.crashpoints=N}) chosen points in that sequence, the device a crash there could
 * leave is built: everything before the last flush barrier, any subset of the unflushed writes
 * after it, one of them torn at a sector boundary. Half the points are recovered by our mount
 * (journal replay, interrupted removals finished, clean unmount), half by {@code fsck.gfs2 -y};
 * after either, {@code fsck.gfs2 -n} is clean and every file, directory and removal acknowledged
 * by an fsync before the crash (and not touched since) is exactly there.
 * {@code -Dgfs2j.crashpoints.seed=N} reproduces a run.
 */
class CrashPointTest {
    private static final int DEFAULT_POINTS = 300;
    private static final int BSIZE = 4096;
    private static final long SIZE = 64L << 20;
    private static final int SECTOR = 512;

    @TempDir
    Path dir;

    /** Lines fsck.gfs2 -y printed when it repaired something (numbers masked) → how often. */
    private static final Map<String, Integer> REPAIRS = new TreeMap<>();
    /** Acknowledged paths found exactly as acknowledged, over all points. */
    private static final java.util.concurrent.atomic.AtomicLong CHECKED = new java.util.concurrent.atomic.AtomicLong();
    private static final java.util.regex.Pattern FSCK_Y_EXPECTED = java.util.regex.Pattern.compile(
            "Initializing fsck|Recovering journals \\(this may take a while\\)|jid=N: Replayed N of N .*blocks"
                    + "|Journal recovery complete\\.|Validating resource group index\\.|Level N resource group check: .*"
                    + "|\\(level N passed\\)|Starting pass.*|pass.* completed in .*|Reconciling bitmaps\\."
                    + "|reconcile_bitmaps completed in .*|Starting check_statfs|check_statfs completed in .*"
                    + "|Calculated statfs values:|Current statfs values:|(blocks|free|dinodes): +N \\(X\\)"
                    + "|The statfs file is wrong:|The statfs file was fixed\\.|Writing changes to disk"
                    + "|fsck\\.gfsN complete"
                    // an inode an interrupted removal left UNLINKED (bitmap state 2) is freed, as after a kernel crash
                    + "|Block N \\(X\\) bitmap says N \\(other\\) but FSCK saw N \\(free\\)|Fixed\\."
                    + "|RG #N \\(X\\) (free|Inode) count inconsistent: is N should be N|Resource group counts updated");

    /** One workload step: its touched paths and the record range it produced. */
    private record Step(String what, List<String> touched, int firstRecord, int endRecord) {
    }

    /** An fsync that returned: records up to {@code endRecord} are durable, the model as it was then. */
    private record Ack(int step, int endRecord, Map<String, byte[]> files, List<String> dirs) {
    }

    private record Workload(byte[] base, List<MemoryDevice.Write> records, List<Step> steps, List<Ack> acks,
                            List<String> everyPath) {
    }

    @Test
    void everyCrashPointRecoversTheAcknowledgedState() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        long seed = Long.getLong("gfs2j.crashpoints.seed", 20261124L);
        int points = Integer.getInteger("gfs2j.crashpoints", DEFAULT_POINTS);
        System.out.println("CrashPointTest seed=" + seed + " points=" + points
                + " (rerun: -Dgfs2j.crashpoints.seed=" + seed + ")");
        long t0 = System.nanoTime();
        Workload w = runWorkload(new Random(seed));
        long t1 = System.nanoTime();
        Random rnd = new Random(seed ^ 0x5eed);
        List<int[]> chosen = new ArrayList<>();
        for (int i = 0; i < points; i++) {
            // crash after record c (1..n): half the points uniform over records, half within a
            // uniformly chosen step (steps differ a lot in how many records they write);
            // every other point recovered by fsck.gfs2 -y
            int c = 1 + rnd.nextInt(w.records().size());
            Step st = w.steps().get(rnd.nextInt(w.steps().size()));
            if (i % 4 >= 2 && st.endRecord() > st.firstRecord()) {
                c = st.firstRecord() + 1 + rnd.nextInt(st.endRecord() - st.firstRecord());
            }
            chosen.add(new int[] {c, i % 2, rnd.nextInt()});
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        int[] byFsck = {0};
        int[] fsckFixed = {0};
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < chosen.size(); i++) {
                int[] p = chosen.get(i);
                int index = i;
                results.add(pool.submit(() -> checkPoint(w, index, p[0], p[1] == 1, new Random(p[2]), seed)));
            }
            for (Future<String> f : results) {
                try {
                    String r = f.get();
                    if (r.startsWith("fsck")) {
                        byFsck[0]++;
                    }
                    if (r.contains("fixed")) {
                        fsckFixed[0]++;
                    }
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof AssertionError a) {
                        throw a;
                    }
                    throw new AssertionError("seed " + seed + ": " + e.getCause(), e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.printf("CrashPointTest seed=%d: workload of %d steps, %d records (%d flushes), %d fsyncs in %.1f s;"
                        + " %d crash points (%d recovered by fsck.gfs2 -y, %d of them with repairs) checked in %.1f s%n",
                seed, w.steps().size(), w.records().size(), w.records().stream().filter(MemoryDevice.Write::isFlush).count(),
                w.acks().size(), (t1 - t0) / 1e9, points, byFsck[0], fsckFixed[0], (System.nanoTime() - t1) / 1e9);
        REPAIRS.forEach((line, count) -> System.out.println("  fsck.gfs2 -y output line x" + count + ": " + line));
        System.out.println("CrashPointTest: " + CHECKED.get() + " acknowledged paths verified over all points");
        assertTrue(w.acks().size() >= 20, "the workload acknowledged enough fsyncs");
        assertTrue(CHECKED.get() >= 10L * points, "acknowledged paths verified: " + CHECKED.get());
    }

    // ---------------------------------------------------------------- the workload

    private static byte[] n(String s) {
        return s.getBytes(UTF_8);
    }

    private Workload runWorkload(Random rnd) throws Exception {
        MemoryDevice dev = new MemoryDevice(SIZE);
        Mkfs.format(dev, MkfsOptions.defaults().withBlockSize(BSIZE).withRgSize(32).withJournalSize(8));
        byte[] base = dev.contents();
        dev.record();
        List<Step> steps = new ArrayList<>();
        List<Ack> acks = new ArrayList<>();
        TreeMap<String, byte[]> files = new TreeMap<>();
        List<String> dirs = new ArrayList<>(List.of(""));
        java.util.Set<String> every = new java.util.TreeSet<>();
        // a small log-flush threshold and write-back share: flushes, write-back and tail moves happen mid-workload
        MountConfig cfg = MountConfig.of(0).withFlushPolicy(new FlushPolicy("crash-points", 48, Duration.ofHours(1), 15))
                .withScheduler(new TestMount.ManualWorker());
        Gfs2FileSystem fs = Gfs2FileSystem.mount(dev, cfg);
        ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.over(fs);
        for (int i = 0; i < 160; i++) {
            int first = dev.writes().size();
            List<String> touched = new ArrayList<>();
            String what;
            String d = pickDir(rnd, dirs);
            String path = d + "/f" + rnd.nextInt(14);
            int op = rnd.nextInt(21);
            boolean exists = files.containsKey(path);
            boolean regular = files.get(path) != null;
            if (op < 5 && (regular || !exists)) {
                what = "write " + path;
                byte[] old = files.get(path);
                if (old == null) {
                    vfs.mknod(ino(vfs, d), n(name(path)), 0644, 0, 0, 0);
                    old = new byte[0];
                }
                int r = rnd.nextInt(10);
                int off = r < 5 ? old.length : r < 8 ? rnd.nextInt(old.length + 1) : 2_000_000 + rnd.nextInt(100_000);
                byte[] data = new byte[r == 0 ? 10 + rnd.nextInt(200) : 1 + rnd.nextInt(60_000)];
                rnd.nextBytes(data);
                long h = vfs.open(ino(vfs, path), 2);
                vfs.write(h, off, ByteBuffer.wrap(data));
                vfs.release(h);
                byte[] now = java.util.Arrays.copyOf(old, Math.max(old.length, off + data.length));
                System.arraycopy(data, 0, now, off, data.length);
                files.put(path, now);
                touched.add(path);
            } else if (op < 7 && regular) {
                what = "truncate " + path;
                byte[] old = files.get(path);
                int size = rnd.nextInt(3) == 0 ? old.length + rnd.nextInt(9000) : rnd.nextInt(old.length + 1);
                vfs.setattr(ino(vfs, path), null, null, null, (long) size, null, null);
                files.put(path, java.util.Arrays.copyOf(old, size));
                touched.add(path);
            } else if (op < 10 && files.containsKey(path)) {
                what = "unlink " + path;
                vfs.unlink(ino(vfs, d), n(name(path)));
                files.remove(path);
                touched.add(path);
            } else if (op < 13 && files.containsKey(path)) {
                String d2 = pickDir(rnd, dirs);
                String dst = d2 + "/f" + rnd.nextInt(14);
                what = "rename " + path + " " + dst;
                if (!dst.equals(path)) {
                    vfs.rename(ino(vfs, d), n(name(path)), ino(vfs, d2), n(name(dst)), 0);
                    files.put(dst, files.remove(path));
                }
                touched.add(path);
                touched.add(dst);
            } else if (op == 13) {
                String nd = d + "/d" + rnd.nextInt(4);
                what = "mkdir/rmdir " + nd;
                if (dirs.contains(nd)) {
                    boolean empty = files.keySet().stream().noneMatch(p -> p.startsWith(nd + "/"))
                            && dirs.stream().noneMatch(p -> p.startsWith(nd + "/"));
                    if (empty) {
                        vfs.rmdir(ino(vfs, d), n(name(nd)));
                        dirs.remove(nd);
                    }
                } else if (!files.containsKey(nd)) {
                    vfs.mkdir(ino(vfs, d), n(name(nd)), 0755, 0, 0);
                    dirs.add(nd);
                }
                touched.add(nd);
            } else if (op < 15 && !files.containsKey(path) && !dirs.contains(path)) {
                what = "symlink " + path;
                byte[] target = ("target-of-" + path).getBytes(UTF_8);
                vfs.symlink(ino(vfs, d), n(name(path)), target, 0, 0);
                files.put(path, null); // a symlink: present, no content checked
                touched.add(path);
            } else if (op < 16 && regular) {
                what = "chmod " + path;
                vfs.setattr(ino(vfs, path), 0600, null, null, null, null, null);
                touched.add(path);
            } else if (op < 17 && regular) {
                what = "setxattr " + path;
                byte[] value = new byte[rnd.nextBoolean() ? 40 : 1000 + rnd.nextInt(6000)];
                rnd.nextBytes(value);
                vfs.setxattr(ino(vfs, path), "user.v" + rnd.nextInt(3), value, 0);
                touched.add(path);
            } else if (op < 18 && regular) {
                byte[] old = files.get(path);
                long h = vfs.open(ino(vfs, path), 2);
                if (rnd.nextBoolean() && old.length > 0) {
                    int off = rnd.nextInt(old.length);
                    int len = 1 + rnd.nextInt(old.length - off + 5000);
                    what = "punch hole " + path + " " + off + "+" + len;
                    vfs.fallocate(h, off, len, 3);
                    byte[] now = old.clone();
                    java.util.Arrays.fill(now, off, Math.min(now.length, off + len), (byte) 0);
                    files.put(path, now);
                } else {
                    int len = 1 + rnd.nextInt(50_000);
                    what = "fallocate " + path + " " + old.length + "+" + len;
                    vfs.fallocate(h, old.length, len, 0);
                    files.put(path, java.util.Arrays.copyOf(old, old.length + len));
                }
                vfs.release(h);
                touched.add(path);
            } else if (op < 19 && exists) {
                String d2 = pickDir(rnd, dirs);
                String other = d2 + "/f" + rnd.nextInt(14);
                what = "exchange " + path + " " + other;
                if (files.containsKey(other) && !other.equals(path)) {
                    vfs.rename(ino(vfs, d), n(name(path)), ino(vfs, d2), n(name(other)), 2);
                    byte[] a = files.get(path);
                    files.put(path, files.get(other));
                    files.put(other, a);
                    touched.add(path);
                    touched.add(other);
                }
            } else if (op < 20) {
                // a directory grown into exhash, later emptied and removed (leaf and table deallocation)
                String big = "/big";
                if (!dirs.contains(big)) {
                    what = "mkdir /big with 150 entries";
                    long b = vfs.mkdir(vfs.rootIno(), n("big"), 0755, 0, 0).ino();
                    dirs.add(big);
                    touched.add(big);
                    for (int k = 0; k < 150; k++) {
                        String p = big + "/entry-with-a-longer-name-" + k;
                        vfs.mknod(b, n(name(p)), 0644, 0, 0, 0);
                        files.put(p, new byte[0]);
                        touched.add(p);
                    }
                } else {
                    what = "empty and rmdir /big";
                    long b = ino(vfs, big);
                    for (String p : new ArrayList<>(files.keySet())) {
                        if (p.startsWith(big + "/")) {
                            vfs.unlink(b, n(name(p)));
                            files.remove(p);
                            touched.add(p);
                        }
                    }
                    vfs.rmdir(vfs.rootIno(), n("big"));
                    dirs.remove(big);
                    touched.add(big);
                }
            } else {
                what = "nothing";
            }
            every.addAll(touched);
            boolean fsync = rnd.nextInt(3) == 0;
            if (fsync) {
                vfs.syncAll();
            }
            steps.add(new Step(what + (fsync ? " + fsync" : ""), touched, first, dev.writes().size()));
            if (fsync) {
                acks.add(new Ack(steps.size() - 1, dev.writes().size(), new TreeMap<>(files), List.copyOf(dirs)));
            }
        }
        int first = dev.writes().size();
        fs.unmount();
        steps.add(new Step("unmount", List.of(), first, dev.writes().size()));
        acks.add(new Ack(steps.size() - 1, dev.writes().size(), new TreeMap<>(files), List.copyOf(dirs)));
        return new Workload(base, List.copyOf(dev.writes()), steps, acks, List.copyOf(every));
    }

    /** A directory for the random steps; "/big" is left to the grow-and-remove step. */
    private static String pickDir(Random rnd, List<String> dirs) {
        List<String> l = dirs.stream().filter(x -> !x.equals("/big") && !x.startsWith("/big/")).toList();
        return l.get(rnd.nextInt(l.size()));
    }

    private static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static long ino(ReadWriteGfs2Vfs vfs, String path) throws FsException {
        long ino = vfs.rootIno();
        for (String part : path.split("/")) {
            if (!part.isEmpty()) {
                ino = vfs.lookup(ino, n(part)).ino();
                vfs.forget(ino, 1); // as the kernel would, once done with the name
            }
        }
        return ino;
    }

    // ---------------------------------------------------------------- one crash point

    /**
     * The device after a crash following record {@code c}: records before the last flush among
     * them are durable; each later write may or may not have landed, one possibly torn.
     */
    private static byte[] crashImage(Workload w, int c, Random rnd, StringBuilder how) {
        byte[] img = w.base().clone();
        List<MemoryDevice.Write> rec = w.records();
        int lastFlush = -1;
        for (int i = 0; i < c; i++) {
            if (rec.get(i).isFlush()) {
                lastFlush = i;
            }
        }
        for (int i = 0; i < lastFlush; i++) {
            apply(img, rec.get(i), Integer.MAX_VALUE);
        }
        int lost = 0;
        int torn = -1;
        for (int i = lastFlush + 1; i < c; i++) {
            MemoryDevice.Write wr = rec.get(i);
            if (wr.isFlush()) {
                continue;
            }
            int r = rnd.nextInt(8);
            if (r < 3) {
                lost++;
            } else if (r == 3 && wr.data().length > SECTOR && torn < 0) {
                torn = i;
                apply(img, wr, SECTOR * (1 + rnd.nextInt(wr.data().length / SECTOR - (wr.data().length % SECTOR == 0 ? 1 : 0))));
            } else {
                apply(img, wr, Integer.MAX_VALUE);
            }
        }
        how.append("crash after record ").append(c).append(" of ").append(rec.size()).append(", last flush ")
                .append(lastFlush).append(", ").append(lost).append(" unflushed writes lost")
                .append(torn >= 0 ? ", record " + torn + " torn" : "");
        return img;
    }

    private static void apply(byte[] img, MemoryDevice.Write wr, int bytes) {
        if (wr.isFlush()) {
            return;
        }
        System.arraycopy(wr.data(), 0, img, (int) wr.offset(), Math.min(bytes, wr.data().length));
    }

    private String checkPoint(Workload w, int index, int c, boolean byFsck, Random rnd, long seed) throws Exception {
        StringBuilder how = new StringBuilder();
        byte[] img = crashImage(w, c, rnd, how);
        String ctx = "seed " + seed + " point " + index + " (" + how + (byFsck ? ", fsck.gfs2 -y" : ", our mount") + ")";
        Path file = dir.resolve("point-" + index + ".img");
        String result;
        try {
            if (byFsck) {
                writeSparse(file, img);
                Gfs2Tools.Result r = Gfs2Tools.run(List.of(Gfs2Tools.requireTool("fsck.gfs2").toString(), "-y",
                        file.toString()));
                assertTrue(r.exit() == 0 || r.exit() == 1, ctx + ": fsck.gfs2 -y exit " + r.exit() + "\n" + r.output());
                result = "fsck" + (r.exit() == 1 ? " fixed" : "");
                if (r.exit() == 1) {
                    for (String line : r.output().replaceAll("\\d+ percent complete\\.", "\n").lines().toList()) {
                        String key = line.strip().replaceAll("0x[0-9a-f]+", "X").replaceAll("[0-9]+", "N");
                        // journal replay leaves master statfs behind the rgrps (the kernel's recovery
                        // corrects it from the log header; fsck.gfs2 rewrites it): the only repair allowed
                        assertTrue(key.isEmpty() || FSCK_Y_EXPECTED.matcher(key).matches(),
                                ctx + ": fsck.gfs2 -y repaired more than statfs: \"" + line + "\" in\n" + r.output());
                        if (key.startsWith("Block N")) {
                            assertTrue(line.contains("bitmap says 2 "), ctx + ": only UNLINKED inodes may be freed: " + line);
                        }
                        if (key.contains("statfs file") || key.startsWith("Block N")) {
                            synchronized (REPAIRS) {
                                REPAIRS.merge(key, 1, Integer::sum);
                            }
                        }
                    }
                }
                Gfs2Tools.assertFsckClean(file);
                try (FileSystemReader reader = FileSystemReader.open(file)) {
                    CHECKED.addAndGet(verifyAcked(w, c, reader, ctx));
                }
            } else {
                MemoryDevice dev = new MemoryDevice(img);
                try (Gfs2FileSystem fs = Gfs2FileSystem.mount(dev, MountConfig.of(0))) {
                    ReadWriteGfs2Vfs.over(fs); // replays the journal, frees inodes an interrupted removal left
                }
                writeSparse(file, dev.contents());
                Gfs2Tools.assertFsckClean(file);
                try (FileSystemReader reader = new FileSystemReader(new DeviceBlockSource(dev, BSIZE), null)) {
                    CHECKED.addAndGet(verifyAcked(w, c, reader, ctx));
                }
                result = "mount";
            }
        } catch (AssertionError | IOException e) {
            throw new AssertionError(ctx + ": " + e.getMessage(), e);
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
        return result;
    }

    /** Every path the last fsync before record {@code c} acknowledged, and no step since touched, is as acknowledged. */
    private static int verifyAcked(Workload w, int c, FileSystemReader r, String ctx) throws IOException {
        Ack ack = null;
        for (Ack a : w.acks()) {
            if (a.endRecord() <= c) {
                ack = a;
            }
        }
        if (ack == null) {
            return 0; // nothing acknowledged yet
        }
        int lastStep = ack.step();
        for (int s = 0; s < w.steps().size(); s++) {
            if (w.steps().get(s).firstRecord() < c) {
                lastStep = Math.max(lastStep, s);
            }
        }
        Map<String, Boolean> unstable = new HashMap<>();
        for (int s = ack.step() + 1; s <= lastStep; s++) {
            for (String p : w.steps().get(s).touched()) {
                unstable.put(p, true);
            }
        }
        int checked = 0;
        for (String p : w.everyPath()) {
            if (unstable.containsKey(p)) {
                continue;
            }
            boolean isDir = ack.dirs().contains(p);
            boolean isFile = ack.files().containsKey(p);
            Inode i;
            try {
                i = r.resolve(p);
            } catch (NoSuchPathException e) {
                i = null;
            }
            if (!isDir && !isFile) {
                assertEquals(null, i == null ? null : p, ctx + ": " + p + " was removed before the fsync of step "
                        + ack.step() + " and came back");
                continue;
            }
            assertTrue(i != null, ctx + ": " + p + ", acknowledged by the fsync of step " + ack.step() + ", is lost");
            if (isDir) {
                assertTrue(i.dinode().isDirectory(), ctx + ": " + p + " should be a directory");
            } else if (ack.files().get(p) != null) {
                byte[] want = ack.files().get(p);
                assertEquals(want.length, i.dinode().size(), ctx + ": size of " + p);
                assertArrayEquals(want, r.file(i).readAll(Integer.MAX_VALUE), ctx + ": content of " + p);
            }
            checked++;
        }
        return checked;
    }

    /** Writes {@code img} as a sparse file: blocks of zeros are left as holes. */
    private static void writeSparse(Path file, byte[] img) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw"); FileChannel ch = f.getChannel()) {
            f.setLength(0);
            f.setLength(img.length);
            for (int off = 0; off < img.length; off += BSIZE) {
                if (!allZero(img, off)) {
                    ch.write(ByteBuffer.wrap(img, off, BSIZE), off);
                }
            }
        }
    }

    private static boolean allZero(byte[] b, int off) {
        for (int i = off; i < off + BSIZE; i += 8) {
            if (b[i] != 0 || b[i + 1] != 0 || b[i + 2] != 0 || b[i + 3] != 0 || b[i + 4] != 0 || b[i + 5] != 0
                    || b[i + 6] != 0 || b[i + 7] != 0) {
                return false;
            }
        }
        return true;
    }
}
