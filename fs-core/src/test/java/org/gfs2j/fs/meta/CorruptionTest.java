package org.gfs2j.fs.meta;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.gfs2j.fs.inspect.FsReport;
import org.gfs2j.fs.inspect.InodeReport;
import org.gfs2j.fs.inspect.Listing;
import org.gfs2j.fs.inspect.ManifestWriter;
import org.gfs2j.fs.inspect.XattrText;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.ondisk.EaBlock;
import org.gfs2j.fs.ondisk.RindexEntry;
import org.gfs2j.fs.testing.KernelImages;
import org.gfs2j.journal.device.BlockDevice;
import org.gfs2j.journal.device.BlockDevices;
import org.gfs2j.journal.format.CorruptMetadataException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Flips bytes in the metadata of the kernel images (dinodes, leaves, indirect blocks, JD blocks,
 * rgrp headers, EA/ED blocks, system files, the superblock) and runs every read-only verb: each
 * must succeed or fail with a CorruptMetadataException (or the path/not-GFS2 errors), within a
 * time limit, never another exception, a hang or an out-of-memory.
 */
class CorruptionTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    /** Seeded random runs per image; raise with -Dgfs2j.corruption.runs=N for a deeper local search. */
    private static final int RANDOM_RUNS = Integer.getInteger("gfs2j.corruption.runs", 15);
    private static final int OFFSETS_PER_TARGET = 2;
    private static final String[] PATHS = {"/", "/tree", "/tree/5m3", "/tree/1m", "/tree/sparse", "/tree/big", "/tree/zero",
        "/tree/a/b/4097", "/tree/a", "/tree/symlink", "/tree/longlink", "/tree/null", "/tree/a/b/c/64k1",
        "/tree/big/entry-with-a-longish-name-1000", "/tree/stuffed", "/tree/hello.txt"};

    /** Offsets worth hitting in each kind of block (fields that steer the reader). */
    private static final int[] DINODE_OFFSETS = {0, 4, 27, 31, 39, 40, 41, 56, 57, 63, 138, 139, 146, 147, 128, 131, 168, 175, 232, 239, 240, 247};
    private static final int[] LEAF_OFFSETS = {5, 24, 25, 27, 32, 39, 104 + 15, 104 + 19, 104 + 20, 104 + 21, 104 + 23, 104 + 40};
    private static final int[] IN_OFFSETS = {4, 24, 29, 31, 39};
    private static final int[] RG_OFFSETS = {4, 28, 31, 35, 55, 59, 64, 128};
    private static final int[] EA_OFFSETS = {4, 24, 27, 31, 32, 33, 34, 35, 40, 48};
    private static final int[] HEADER_OFFSETS = {0, 4, 19};

    private record Target(long block, int[] offsets, String what) {
    }

    private static final OutputStream NULL = new OutputStream() {
        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    };

    @ParameterizedTest
    @ValueSource(strings = {"kernel-4k", "kernel-1k"})
    void targetedFlipsYieldCleanErrors(String name) throws Exception {
        try (BlockDevice dev = BlockDevices.open(KernelImages.get(name), true, 0)) {
            int bsize = name.equals("kernel-4k") ? 4096 : 1024;
            DeviceBlockSource clean = new DeviceBlockSource(dev, bsize);
            List<Target> targets = targets(clean);
            int runs = 0;
            int failures = 0;
            // Each target gets OFFSETS_PER_TARGET of its interesting offsets, rotating so that
            // together the targets of one kind cover the whole offset list; high and low bits alternate.
            for (int ti = 0; ti < targets.size(); ti++) {
                Target t = targets.get(ti);
                for (int k = 0; k < OFFSETS_PER_TARGET && k < t.offsets.length; k++) {
                    int off = t.offsets[(ti * OFFSETS_PER_TARGET + k) % t.offsets.length];
                    int xor = (ti + k) % 2 == 0 ? 0x80 : 0x01;
                    FlippingBlockSource src = new FlippingBlockSource(clean);
                    src.flip(t.block, off, xor);
                    String what = name + " " + t.what + " block " + t.block + " offset " + off + " xor 0x" + Integer.toHexString(xor);
                    failures += exercise(src, what, t.block);
                    runs++;
                }
            }
            System.out.println(name + ": " + runs + " targeted flips, " + failures + " verb failures with clean errors");
            assertTrue(failures > 0, "some flips must be detected");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"kernel-4k", "kernel-1k"})
    void seededRandomFlipsYieldCleanErrors(String name) throws Exception {
        long base = Long.getLong("gfs2j.corruption.seed", System.nanoTime());
        try (BlockDevice dev = BlockDevices.open(KernelImages.get(name), true, 0)) {
            int bsize = name.equals("kernel-4k") ? 4096 : 1024;
            DeviceBlockSource clean = new DeviceBlockSource(dev, bsize);
            List<Target> targets = targets(clean);
            for (int run = 0; run < RANDOM_RUNS; run++) {
                long seed = base + run;
                Random rnd = new Random(seed);
                FlippingBlockSource src = new FlippingBlockSource(clean);
                StringBuilder what = new StringBuilder(name + " seed " + seed + " (rerun with -Dgfs2j.corruption.seed=" + seed + "):");
                int flips = 1 + rnd.nextInt(4);
                long firstBlock = -1;
                for (int f = 0; f < flips; f++) {
                    Target t = targets.get(rnd.nextInt(targets.size()));
                    int off = rnd.nextBoolean() ? rnd.nextInt(Math.min(bsize, 256)) : rnd.nextInt(bsize);
                    int xor = 1 + rnd.nextInt(255);
                    src.flip(t.block, off, xor);
                    what.append(' ').append(t.what).append('@').append(t.block).append('+').append(off).append("^").append(xor);
                    firstBlock = firstBlock < 0 ? t.block : firstBlock;
                }
                System.out.println(what);
                exercise(src, what.toString(), firstBlock);
            }
        }
    }

    /** Runs every verb on the corrupted source; returns how many failed (cleanly). */
    private static int exercise(BlockSource src, String what, long flippedBlock) {
        int[] failures = {0};
        assertTimeoutPreemptively(LIMIT, () -> {
            FileSystemReader fs;
            try {
                fs = new FileSystemReader(src, null);
            } catch (Exception e) {
                expectClean(e, what, "open");
                failures[0]++;
                return;
            }
            failures[0] += step(what, "show sb", () -> FsReport.superblock(fs));
            failures[0] += step(what, "show rgs", () -> FsReport.resourceGroups(fs));
            failures[0] += step(what, "show journals", () -> FsReport.journals(fs));
            failures[0] += step(what, "show inode", () -> InodeReport.show(fs, fs.inode(flippedBlock)));
            failures[0] += step(what, "manifest", () -> new ManifestWriter(fs).manifest());
            failures[0] += step(what, "ls -lR", () -> new Listing(fs, true, true, s -> { }).list("/"));
            for (String p : PATHS) {
                failures[0] += step(what, "stat " + p, () -> InodeReport.stat(fs, fs.resolve(p), p));
                failures[0] += step(what, "show inode of " + p, () -> InodeReport.show(fs, fs.resolve(p)));
                failures[0] += step(what, "getfattr " + p, () -> {
                    for (Xattr x : fs.xattrs(fs.resolve(p)).list()) {
                        XattrText.line(x);
                        if (XattrText.isAcl(x)) {
                            XattrText.aclLines(x);
                        }
                    }
                });
                failures[0] += step(what, "cat " + p, () -> {
                    Inode i = fs.resolve(p);
                    if (i.dinode().isRegular()) {
                        // the manifest already streamed whole files; here one block at an offset
                        fs.file(i).copyTo(i.dinode().size() / 2, 4096, NULL);
                    }
                });
                failures[0] += step(what, "ls -l " + p, () -> new Listing(fs, true, false, s -> { }).list(p));
            }
        }, what);
        return failures[0];
    }

    private interface Verb {
        void run() throws Exception;
    }

    private static int step(String what, String verb, Verb v) {
        try {
            v.run();
            return 0;
        } catch (Exception e) {
            expectClean(e, what, verb);
            return 1;
        }
    }

    private static void expectClean(Exception e, String what, String verb) {
        if (e instanceof CorruptMetadataException || e instanceof NoSuchPathException || e instanceof NotGfs2Exception) {
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), what + ": " + verb + ": empty message");
            return;
        }
        java.io.StringWriter sw = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(sw));
        fail(what + ": " + verb + " threw " + sw);
    }

    /** Metadata blocks worth corrupting, found by reading the clean image. */
    private static List<Target> targets(BlockSource clean) throws IOException {
        List<Target> out = new ArrayList<>();
        FileSystemReader fs = new FileSystemReader(clean, null);
        out.add(new Target(fs.geometry().sbBlock(), new int[] {0, 27, 36, 38, 39, 41, 55, 63, 87, 95}, "superblock"));
        Set<Long> dinodes = new LinkedHashSet<>();
        for (String p : PATHS) {
            dinodes.add(fs.resolve(p).addr());
        }
        dinodes.add(fs.master().addr());
        for (String s : new String[] {"jindex", "per_node", "rindex", "statfs"}) {
            dinodes.add(fs.systemFile(s).addr());
        }
        dinodes.add(fs.journals().get(0).inode().addr());
        for (long d : dinodes) {
            out.add(new Target(d, DINODE_OFFSETS, "dinode"));
        }
        Inode big = fs.resolve("/tree/big");
        List<Long> leaves = fs.directory(big).leafBlocks();
        for (int i = 0; i < leaves.size(); i += Math.max(1, leaves.size() / 4)) {
            out.add(new Target(leaves.get(i), LEAF_OFFSETS, "leaf"));
        }
        FileMap bigMap = fs.fileMap(big);
        for (Extent e : bigMap.extents()) {
            out.add(new Target(e.device(), new int[] {4, 24, 31, 32 + 7}, "jd"));
        }
        for (String p : new String[] {"/tree/5m3", "/tree/1m"}) {
            Inode f = fs.resolve(p);
            if (f.dinode().height() >= 2) {
                long in = Dinode.pointer(f.block(), 0);
                out.add(new Target(in, IN_OFFSETS, "indirect"));
            }
        }
        List<RindexEntry> ri = fs.rindex();
        out.add(new Target(ri.get(0).addr(), RG_OFFSETS, "rgrp"));
        out.add(new Target(ri.get(ri.size() - 1).addr(), RG_OFFSETS, "rgrp"));
        for (String p : new String[] {"/tree/zero", "/tree/a/b/4097", "/tree/a"}) {
            long ea = fs.resolve(p).dinode().eattr();
            out.add(new Target(ea, EA_OFFSETS, "ea"));
            ByteBuffer b = clean.read(ea);
            for (EaBlock.Entry e : EaBlock.walk(b, ea, fs.superblock().fsFormat())) {
                for (long ed : e.pointers()) {
                    out.add(new Target(ed, HEADER_OFFSETS, "ed"));
                }
            }
        }
        return out;
    }
}
