package org.gfs2j.fs.mount;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.gfs2j.fs.meta.DeviceBlockSource;
import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.meta.Inode;
import org.gfs2j.fs.mkfs.Mkfs;
import org.gfs2j.fs.mkfs.MkfsOptions;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.ondisk.RindexEntry;
import org.gfs2j.fs.testing.Gfs2Tools;
import org.gfs2j.fs.vfs.FsException;
import org.gfs2j.fs.vfs.InodeAttributes;
import org.gfs2j.journal.testing.MemoryDevice;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Corrupt metadata on the read-write path: bytes flipped in dinodes, directory leaves, rgrp
 * headers and bitmaps of an image (in memory), then a read-write mount runs operations over it.
 * Every operation ends (no hang, no loop) with a result or an errno, never another exception; an
 * operation that meets corrupt metadata fails with EIO and the mount withdraws ({@link Withdraw}):
 * every later change is EIO, intact data still reads, and unmount leaves the journal dirty (no
 * clean header over the inconsistent state), so a later mount replays it to the last transaction
 * committed before the withdrawal.
 */
class WithdrawTest {
    private static final int BSIZE = 4096;
    private static final long SIZE = 96L << 20;
    private static final byte[] KEEP = "intact data that must still read after a withdrawal".getBytes(UTF_8);

    @TempDir
    Path dir;

    /** The populated file system, and where its structures are. */
    private static byte[] base;
    private static long fIno;
    private static long keepIno;
    private static long bigIno;
    private static long largeIno;
    private static List<Long> bigLeaves;
    private static List<Long> largeIndirect;
    private static List<RindexEntry> rgrps;
    private static long largeRgrp;

    private static byte[] n(String s) {
        return s.getBytes(UTF_8);
    }

    @BeforeAll
    static void populate() throws Exception {
        MemoryDevice dev = new MemoryDevice(SIZE);
        Mkfs.format(dev, MkfsOptions.defaults().withBlockSize(BSIZE).withRgSize(32).withJournalSize(8));
        try (Gfs2FileSystem fs = Gfs2FileSystem.mount(dev, MountConfig.of(0))) {
            ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.over(fs);
            long root = vfs.rootIno();
            fIno = vfs.mknod(root, n("f"), 0644, 0, 0, 0).ino();
            write(vfs, fIno, 0, new byte[9000]);
            keepIno = vfs.mknod(root, n("keep"), 0644, 0, 0, 0).ino();
            write(vfs, keepIno, 0, KEEP);
            bigIno = vfs.mkdir(root, n("big"), 0755, 0, 0).ino();
            for (int i = 0; i < 300; i++) {
                vfs.mknod(bigIno, n("entry-with-a-long-name-" + i), 0644, 0, 0, 0);
            }
            largeIno = vfs.mknod(root, n("large"), 0644, 0, 0, 0).ino();
            byte[] chunk = new byte[1 << 20];
            new Random(1).nextBytes(chunk);
            for (int i = 0; i < 6; i++) {
                write(vfs, largeIno, (long) i << 20, chunk);
            }
            vfs.mkdir(root, n("d"), 0755, 0, 0);
        }
        base = dev.contents();
        try (FileSystemReader r = reader(new MemoryDevice(base))) {
            bigLeaves = r.directory(r.inode(bigIno)).leafBlocks();
            assertTrue(bigLeaves.size() >= 2, "big is an exhash directory: " + bigLeaves);
            Inode large = r.inode(largeIno);
            assertTrue(large.dinode().height() >= 2, "large has indirect blocks");
            largeIndirect = new ArrayList<>();
            ByteBuffer b = large.block();
            for (int off = Dinode.SIZE; off + 8 <= BSIZE; off += 8) {
                if (b.getLong(off) != 0) {
                    largeIndirect.add(b.getLong(off));
                }
            }
            rgrps = r.rindex();
            long firstData = r.fileMap(large).map(0);
            largeRgrp = rgrps.stream().filter(e -> firstData >= e.data0() && firstData < e.data0() + e.data())
                    .findFirst().orElseThrow().addr();
        }
    }

    private static FileSystemReader reader(MemoryDevice dev) throws IOException {
        return new FileSystemReader(new DeviceBlockSource(dev, BSIZE), null);
    }

    private static void write(ReadWriteGfs2Vfs vfs, long ino, long off, byte[] data) throws FsException {
        long h = vfs.open(ino, 2);
        try {
            assertEquals(data.length, vfs.write(h, off, ByteBuffer.wrap(data)));
        } finally {
            vfs.release(h);
        }
    }

    private static byte[] read(ReadWriteGfs2Vfs vfs, long ino, int len) throws FsException {
        long h = vfs.open(ino, 0);
        try {
            ByteBuffer dst = ByteBuffer.allocate(len);
            int got = vfs.read(h, 0, len, dst);
            byte[] out = new byte[got];
            dst.flip().get(out);
            return out;
        } finally {
            vfs.release(h);
        }
    }

    private static void poke(MemoryDevice dev, long block, int offset, byte[] bytes) throws IOException {
        dev.write(block * BSIZE + offset, ByteBuffer.wrap(bytes));
    }

    @FunctionalInterface
    private interface VfsCall {
        void run(ReadWriteGfs2Vfs vfs) throws FsException;
    }

    /** An operation of the script; {@code modifying} ones must answer EIO once withdrawn. */
    private record Op(String name, boolean modifying, VfsCall call) {
    }

    private static final List<Op> SCRIPT = List.of(
            new Op("lookup in big", false, v -> v.lookup(bigIno, n("entry-with-a-long-name-100"))),
            new Op("getattr f", false, v -> v.getattr(fIno)),
            new Op("read large", false, v -> read(v, largeIno, 1 << 20)),
            new Op("chmod f", true, v -> v.setattr(fIno, 0600, null, null, null, null, null)),
            new Op("write f", true, v -> write(v, fIno, 100, new byte[5000])),
            new Op("truncate f", true, v -> v.setattr(fIno, null, null, null, 10L, null, null)),
            new Op("create in big", true, v -> v.mknod(bigIno, n("new-entry"), 0644, 0, 0, 0)),
            new Op("unlink in big", true, v -> v.unlink(bigIno, n("entry-with-a-long-name-7"))),
            new Op("rename out of big", true, v -> v.rename(bigIno, n("entry-with-a-long-name-8"), v.rootIno(),
                    n("moved"), 0)),
            new Op("link f", true, v -> v.link(fIno, bigIno, n("f-link"))),
            new Op("write large far", true, v -> write(v, largeIno, 40L << 20, new byte[8192])),
            new Op("truncate large", true, v -> v.setattr(largeIno, null, null, null, 3L << 20, null, null)),
            new Op("mkdir", true, v -> v.mkdir(v.rootIno(), n("newdir"), 0755, 0, 0)),
            new Op("create and write", true, v -> write(v, v.mknod(v.rootIno(), n("new"), 0644, 0, 0, 0).ino(), 0,
                    new byte[20_000])),
            new Op("unlink large", true, v -> v.unlink(v.rootIno(), n("large"))),
            new Op("rmdir d", true, v -> v.rmdir(v.rootIno(), n("d"))),
            new Op("unlink f", true, v -> v.unlink(v.rootIno(), n("f"))),
            new Op("fsync", true, ReadWriteGfs2Vfs::syncAll));

    /** What a run of the script over a corrupt image did. */
    private record Outcome(String mountFailure, Withdraw withdraw, List<String> answers, boolean journalClean) {
    }

    /**
     * Mounts {@code dev} read-write, commits one change durably ("pre"), runs {@link #SCRIPT}
     * (bounded in time) and unmounts. Every answer is a result or an FsException; once withdrawn,
     * every modifying operation is EIO; a modifying EIO withdraws.
     */
    private static Outcome runScript(MemoryDevice dev) {
        return runScript(dev, true);
    }

    private static Outcome runScript(MemoryDevice dev, boolean keepIsIntact) {
        return assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Gfs2FileSystem fs;
            try {
                fs = Gfs2FileSystem.mount(dev, MountConfig.of(0));
            } catch (IOException e) {
                assertNotNull(e.getMessage());
                return new Outcome(e.getMessage(), null, List.of(), false);
            }
            List<String> answers = new ArrayList<>();
            Withdraw w;
            try {
                ReadWriteGfs2Vfs vfs;
                try {
                    vfs = ReadWriteGfs2Vfs.over(fs);
                } catch (IOException e) {
                    return new Outcome(e.getMessage(), null, List.of(), false);
                }
                w = vfs.withdrawal();
                try {
                    vfs.mkdir(vfs.rootIno(), n("pre"), 0700, 0, 0);
                    vfs.syncAll();
                    answers.add("pre: ok");
                } catch (FsException e) {
                    answers.add("pre: " + e.errno());
                }
                for (Op op : SCRIPT) {
                    boolean wasWithdrawn = w.isWithdrawn();
                    int errno = 0;
                    String detail = "";
                    try {
                        op.call().run(vfs);
                    } catch (FsException e) {
                        errno = e.errno();
                        detail = errno == FsException.EIO && !wasWithdrawn ? " (" + e.getMessage()
                                + (e.getCause() != null ? ", caused by " + e.getCause() : "") + ")" : "";
                    }
                    answers.add(op.name() + ": " + (errno == 0 ? "ok" : "errno " + errno) + detail);
                    if (wasWithdrawn && op.modifying()) {
                        assertEquals(FsException.EIO, errno, op.name() + " after the withdrawal: " + answers);
                    }
                    if (errno == FsException.EIO && op.modifying()) {
                        assertTrue(w.isWithdrawn(), op.name() + " answered EIO without withdrawing: " + answers);
                    }
                }
                if (w.isWithdrawn() && keepIsIntact) {
                    assertArrayEquals(KEEP, read(vfs, keepIno, 1000), "intact data reads after the withdrawal");
                }
            } finally {
                fs.unmount();
            }
            boolean clean;
            try (FileSystemReader r = reader(dev)) {
                clean = r.head(r.journal(0)).isClean();
            }
            return new Outcome(null, w, answers, clean);
        });
    }

    /**
     * One structure made inconsistent on purpose: the first operation that meets it answers EIO,
     * the mount withdraws naming the block, the journal stays dirty; with the block repaired, a
     * new mount replays the journal ("pre" is there) and leaves an fsck-clean file system.
     */
    private void corruptWithdrawsAndReplays(String what, long block, int offset, byte[] bytes) throws Exception {
        corruptWithdrawsAndReplays(what, List.of(block), offset, bytes);
    }

    private void corruptWithdrawsAndReplays(String what, List<Long> blocks, int offset, byte[] bytes)
            throws Exception {
        MemoryDevice dev = new MemoryDevice(base);
        List<byte[]> originals = new ArrayList<>();
        for (long block : blocks) {
            byte[] original = new byte[bytes.length];
            dev.read(block * BSIZE + offset, ByteBuffer.wrap(original));
            originals.add(original);
            poke(dev, block, offset, bytes);
        }
        Outcome o = runScript(dev);
        if (o.mountFailure() != null) {
            assertTrue(namesOneOf(o.mountFailure(), blocks), what + ": mount failed without naming one of "
                    + blocks + ": " + o.mountFailure());
            return;
        }
        assertEquals("pre: ok", o.answers().get(0), what);
        assertTrue(o.withdraw().isWithdrawn(), what + ": no withdrawal; answers " + o.answers());
        assertTrue(namesOneOf(o.withdraw().reason(), blocks),
                what + ": the reason names one of " + blocks + ": " + o.withdraw().reason());
        assertTrue(o.answers().stream().anyMatch(a -> a.contains("errno " + FsException.EIO)), o.answers().toString());
        assertFalse(o.journalClean(), what + ": a withdrawn mount must not write a clean log header");

        for (int i = 0; i < blocks.size(); i++) {
            poke(dev, blocks.get(i), offset, originals.get(i));
        }
        try (Gfs2FileSystem fs = Gfs2FileSystem.mount(dev, MountConfig.of(0))) {
            ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.over(fs);
            InodeAttributes pre = vfs.lookup(vfs.rootIno(), n("pre"));
            assertTrue(pre.isDirectory(), what + ": the change fsynced before the withdrawal was replayed");
            assertArrayEquals(KEEP, read(vfs, keepIno, 1000));
            assertFalse(vfs.withdrawal().isWithdrawn());
        }
        Path img = dir.resolve("repaired.img");
        Files.write(img, dev.contents());
        Gfs2Tools.assertFsckClean(img);
    }

    private static boolean namesOneOf(String message, List<Long> blocks) {
        return blocks.stream().anyMatch(b -> message.contains(Long.toString(b)));
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).putInt(v).array();
    }

    @Test
    void dinodeWithoutAFileTypeWithdraws() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        corruptWithdrawsAndReplays("di_mode 0", fIno, Dinode.OFF_MODE, u32(0));
    }

    @Test
    void dinodeNamingAnotherBlockWithdraws() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        corruptWithdrawsAndReplays("di_num.no_addr", fIno, Dinode.OFF_NUM + 8 + 4, u32((int) fIno ^ 0x100));
    }

    @Test
    void leafOfImpossibleDepthWithdraws() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        // every leaf of "big": whichever one the create hashes to is bad
        corruptWithdrawsAndReplays("lf_depth", bigLeaves, org.gfs2j.fs.ondisk.Leaf.OFF_DEPTH, new byte[] {0x7f, 0});
    }

    @Test
    void rgrpHeaderWithABadChecksumWithdraws() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        corruptWithdrawsAndReplays("rg_free", largeRgrp, 24 + 4, u32(12345));
    }

    @Test
    void indirectBlockOfTheWrongTypeWithdraws() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        corruptWithdrawsAndReplays("indirect block mh_type", largeIndirect.get(0), org.gfs2j.journal.format.MetaHeader.OFF_TYPE, u32(2 /* GFS2_METATYPE_RG */));
    }

    /**
     * Seeded random byte flips in dinodes, leaves, rgrp headers, bitmaps and indirect blocks
     * ({@code -Dgfs2j.withdraw.seed=N}, {@code -Dgfs2j.withdraw.rounds=N}): whatever a flip does,
     * every operation ends within the time bound with a result or an errno, a modifying EIO
     * withdraws, nothing changes after a withdrawal and its journal is left dirty. (GFS2 has no
     * checksums on most metadata: a flip in a name or a time is not detectable, here as in the kernel.)
     */
    @Test
    void randomByteFlipsNeverHangAndEioWithdraws() throws Exception {
        long seed = Long.getLong("gfs2j.withdraw.seed", 20261124L);
        int rounds = Integer.getInteger("gfs2j.withdraw.rounds", 40);
        System.out.println("WithdrawTest random flips seed=" + seed + " rounds=" + rounds
                + " (rerun: -Dgfs2j.withdraw.seed=" + seed + ")");
        Random rnd = new Random(seed);
        int withdrawn = 0;
        int mountFailed = 0;
        int unnoticed = 0;
        for (int round = 0; round < rounds; round++) {
            MemoryDevice dev = new MemoryDevice(base);
            String what;
            long block;
            int from;
            int to;
            switch (rnd.nextInt(5)) {
                case 0 -> {
                    long[] inodes = {fIno, largeIno, bigIno};
                    block = inodes[rnd.nextInt(inodes.length)];
                    what = "dinode";
                    from = 0;
                    to = Dinode.SIZE + 64;
                }
                case 1 -> {
                    block = bigLeaves.get(rnd.nextInt(bigLeaves.size()));
                    what = "leaf";
                    from = 0;
                    to = BSIZE;
                }
                case 2 -> {
                    block = rgrps.get(rnd.nextInt(rgrps.size())).addr();
                    what = "rgrp header";
                    from = 0;
                    to = 128;
                }
                case 3 -> {
                    block = rgrps.get(rnd.nextInt(rgrps.size())).addr();
                    what = "bitmap";
                    from = 128;
                    to = 128 + 1024;
                }
                default -> {
                    block = largeIndirect.get(rnd.nextInt(largeIndirect.size()));
                    what = "indirect block";
                    from = 0;
                    to = 512;
                }
            }
            StringBuilder flips = new StringBuilder();
            for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
                int off = from + rnd.nextInt(to - from);
                byte[] one = new byte[1];
                dev.read(block * BSIZE + off, ByteBuffer.wrap(one));
                one[0] ^= (byte) (1 + rnd.nextInt(255));
                poke(dev, block, off, one);
                flips.append(' ').append(off);
            }
            String ctx = "seed " + seed + " round " + round + ": " + what + " " + block + " bytes" + flips;
            Outcome o;
            try {
                o = runScript(dev, false);
            } catch (AssertionError e) {
                throw new AssertionError(ctx + ": " + e.getMessage(), e);
            }
            if (o.mountFailure() != null) {
                mountFailed++;
            } else if (o.withdraw().isWithdrawn()) {
                withdrawn++;
                assertFalse(o.journalClean(), ctx + ": withdrawn, yet a clean log header was written");
            } else {
                unnoticed++;
            }
        }
        System.out.printf("WithdrawTest random flips: %d rounds, %d withdrew, %d mounts refused, %d flips not noticed%n",
                rounds, withdrawn, mountFailed, unnoticed);
        assertTrue(withdrawn > 0, "no flip was detected at all");
    }
}
