package org.gfs2j.journal.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.gfs2j.journal.device.BlockDevice;
import org.gfs2j.journal.device.BlockDevices;
import org.gfs2j.journal.format.MetaHeader;
import org.gfs2j.journal.format.MetaType;
import org.gfs2j.journal.log.JournalExtents;

/**
 * Test-only access to a file system image made by mkfs.gfs2, without fs-core: the superblock's
 * block size, master and root addresses, and journal0's extents read from its dinode and pointer
 * tree (mkfs puts journal0's dinode at the first data block of the first rgrp). Also runs
 * mkfs.gfs2 and fsck.gfs2.
 */
public final class Gfs2Image {
    private static final int SB_OFFSET = 65536;
    private static final int DI_SIZE = 56;
    private static final int DI_HEIGHT = 138;
    private static final int DINODE_SIZE = 232;
    /** Offset of di_mtime in a dinode. */
    public static final int DI_MTIME = 80;
    public static final int DI_MODE = 40;
    public static final int DI_MTIME_NSEC = 180;

    public final Path path;
    public final int bsize;
    public final long masterAddr;
    public final long rootAddr;
    public final long journal0Addr;
    public final JournalExtents journal0;

    private Gfs2Image(Path path, int bsize, long master, long root, long journal0Addr, JournalExtents journal0) {
        this.path = path;
        this.bsize = bsize;
        this.masterAddr = master;
        this.rootAddr = root;
        this.journal0Addr = journal0Addr;
        this.journal0 = journal0;
    }

    /** True when mkfs.gfs2 and fsck.gfs2 can be run (tests using the oracle are skipped otherwise). */
    public static boolean toolsAvailable() {
        for (String tool : new String[] {"mkfs.gfs2", "fsck.gfs2"}) {
            boolean found = false;
            for (String dir : (System.getenv("PATH") + ":/usr/sbin:/sbin").split(":")) {
                if (Files.isExecutable(Path.of(dir, tool))) {
                    found = true;
                }
            }
            if (!found) {
                return false;
            }
        }
        return true;
    }

    /** {@code mkfs.gfs2 -O -p lock_nolock -j 1 -J 8 -b 4096} on a new sparse file of {@code mib} MiB. */
    public static Gfs2Image create(Path file, int mib) throws IOException {
        try (var raf = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength((long) mib << 20);
        }
        Result r = run("mkfs.gfs2", "-O", "-p", "lock_nolock", "-j", "1", "-J", "8", "-b", "4096", file.toString());
        if (r.exit != 0) {
            throw new IOException("mkfs.gfs2 failed (" + r.exit + "): " + r.output);
        }
        return open(file);
    }

    public static Gfs2Image open(Path file) throws IOException {
        try (BlockDevice dev = BlockDevices.open(file, true, 0)) {
            ByteBuffer sb = ByteBuffer.allocate(512);
            dev.read(SB_OFFSET, sb);
            MetaHeader.check(sb.flip(), SB_OFFSET / 4096, MetaType.SB);
            int bsize = sb.getInt(36);
            long master = sb.getLong(56);
            long root = sb.getLong(88);
            long rg0 = SB_OFFSET / bsize + 1;
            ByteBuffer rg = dev.readBlock(rg0, bsize);
            MetaHeader.check(rg, rg0, MetaType.RG);
            long jdinode = rg0 + 1;
            while (MetaHeader.typeOf(dev.readBlock(jdinode, bsize), 0) == MetaType.RB) {
                jdinode++; // the first rgrp's bitmap blocks come before its first data block
            }
            ByteBuffer di = dev.readBlock(jdinode, bsize);
            MetaHeader.check(di, jdinode, MetaType.DI);
            List<Long> data = new ArrayList<>();
            collect(dev, bsize, di, DINODE_SIZE, Short.toUnsignedInt(di.getShort(DI_HEIGHT)), data);
            long expected = di.getLong(DI_SIZE) / bsize;
            if (data.size() != expected) {
                throw new IOException("journal0 tree maps " + data.size() + " blocks, di_size says " + expected);
            }
            return new Gfs2Image(file, bsize, master, root, jdinode, toExtents(data));
        }
    }

    /** Appends the data blocks under the pointers of {@code block} from byte {@code start}, in order. */
    private static void collect(BlockDevice dev, int bsize, ByteBuffer block, int start, int height, List<Long> out)
            throws IOException {
        for (int off = start; off + 8 <= bsize; off += 8) {
            long ptr = block.getLong(off);
            if (ptr == 0) {
                continue;
            }
            if (height <= 1) {
                out.add(ptr);
            } else {
                ByteBuffer in = dev.readBlock(ptr, bsize);
                MetaHeader.check(in, ptr, MetaType.IN);
                collect(dev, bsize, in, MetaHeader.SIZE, height - 1, out);
            }
        }
    }

    /** Dinode blocks of the image other than journal0's (found by scanning for the DI type). */
    public List<Long> dinodes() throws IOException {
        List<Long> out = new ArrayList<>();
        try (BlockDevice dev = BlockDevices.open(path, true, 0)) {
            long blocks = dev.size() / bsize;
            for (long b = SB_OFFSET / bsize + 1; b < blocks; b++) {
                if (journal0.containsDeviceBlock(b) || b == journal0Addr) {
                    continue;
                }
                ByteBuffer buf = dev.readBlock(b, bsize);
                if (MetaHeader.typeOf(buf, 0) == MetaType.DI) {
                    out.add(b);
                }
            }
        }
        return out;
    }

    private static JournalExtents toExtents(List<Long> blocks) {
        List<JournalExtents.Extent> out = new ArrayList<>();
        long jstart = 0;
        long dstart = blocks.get(0);
        long len = 1;
        for (int i = 1; i < blocks.size(); i++) {
            if (blocks.get(i) == dstart + len) {
                len++;
            } else {
                out.add(new JournalExtents.Extent(jstart, dstart, len));
                jstart += len;
                dstart = blocks.get(i);
                len = 1;
            }
        }
        out.add(new JournalExtents.Extent(jstart, dstart, len));
        return new JournalExtents(out);
    }

    /** Exit code and combined output of a command. */
    public record Result(int exit, String output) {
    }

    public static Result run(String... cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PATH", System.getenv("PATH") + ":/usr/sbin:/sbin");
        Process p = pb.start();
        try {
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " timed out");
            }
            return new Result(p.exitValue(), out);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    public static Result fsck(Path image, String mode) throws IOException {
        return run("fsck.gfs2", mode, image.toString());
    }
}
