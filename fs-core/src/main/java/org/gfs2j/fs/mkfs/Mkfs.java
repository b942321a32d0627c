package org.gfs2j.fs.mkfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.gfs2j.fs.dir.DirectoryWriter;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.ondisk.Dirent;
import org.gfs2j.fs.ondisk.Geometry;
import org.gfs2j.fs.ondisk.Inum;
import org.gfs2j.fs.ondisk.PointerTree;
import org.gfs2j.fs.ondisk.QuotaChange;
import org.gfs2j.fs.ondisk.QuotaRecord;
import org.gfs2j.fs.ondisk.RgrpBitmap;
import org.gfs2j.fs.ondisk.RindexEntry;
import org.gfs2j.fs.ondisk.StatfsChange;
import org.gfs2j.fs.ondisk.Superblock;
import org.gfs2j.journal.device.BlockDevice;
import org.gfs2j.journal.device.BlockDevices;
import org.gfs2j.journal.format.LogHeader;

/**
 * Makes a GFS2 file system on a device, laid out as mkfs.gfs2 3.5.0 does (spec 4.4, 10.6, 12):
 * journals first in rgrps of their own, then master, jindex, per_node with inum_rangeN /
 * statfs_changeN / quota_changeN per journal, inum, statfs, rindex, quota and root.
 *
 * <p>Metadata is built in memory ({@link MkfsImage}); journals and quota-change blocks are
 * generated while writing, in large sequential writes. Free data blocks are never written, so
 * an existing device keeps old bytes there (GFS2 never reads free blocks); everything GFS2 does
 * read (bytes 0..65535, superblock, rgrp headers and bitmaps, gaps between rgrps, every allocated
 * block) is written. The old superblock is zeroed first and the new one written last.
 */
public final class Mkfs {
    /** Bytes per write when streaming journals. */
    private static final int CHUNK = 8 << 20;
    private static final int QC_MIB = 1;

    /** Progress of the long steps, for a user watching a large device. */
    @FunctionalInterface
    public interface Progress {
        void report(String step, long done, long total);

        Progress NONE = (s, d, t) -> { };
    }

    /** What was made. */
    public record Result(Superblock superblock, Layout layout, int journalMiB, StatfsChange statfs, long timeSeconds) {
    }

    private final BlockDevice dev;
    private final MkfsOptions opts;
    private final Progress progress;
    private final long now;
    private Geometry geo;
    private MkfsImage image;
    private DirectoryWriter dirs;
    private long formal = 1;
    private final List<long[]> journalExtents = new ArrayList<>();  // {first data block, count, jinode}
    private final List<Long> qcBlocks = new ArrayList<>();          // QC blocks of every quota_changeN

    /** Adds content to the new root directory before the counters are final (tests build big directories). */
    interface RootPopulator {
        void populate(Mkfs mkfs, Inum root) throws IOException;
    }

    private final RootPopulator populator;

    private Mkfs(BlockDevice dev, MkfsOptions opts, Progress progress, long now, RootPopulator populator) {
        this.dev = dev;
        this.opts = opts;
        this.progress = progress;
        this.now = now;
        this.populator = populator;
    }

    /** {@link #format} with extra content in root. */
    static Result format(BlockDevice dev, MkfsOptions opts, long nowSeconds, RootPopulator populator) throws IOException {
        return new Mkfs(dev, opts, Progress.NONE, nowSeconds, populator).run();
    }

    /** Creates an empty regular file (mode 0644) named {@code name} in directory {@code dir}. */
    Inum addEmptyFile(Inum dir, String name) throws IOException {
        long addr = image.allocBlock(RgrpBitmap.DINODE);
        Inum num = new Inum(formal++, addr);
        ByteBuffer blk = ByteBuffer.allocate(geo.bsize());
        Dinode.create(num, 0100644).withTimes(now, 0).encode(blk);
        image.put(addr, blk);
        dirs.add(dir.addr(), name, num, Dirent.DT_REG);
        return num;
    }

    /** Removes {@code name} from {@code dir} and frees the (empty, stuffed) file's dinode. */
    void removeEmptyFile(Inum dir, String name) throws IOException {
        Dirent gone = dirs.remove(dir.addr(), name);
        if (gone == null) {
            throw new IOException("no entry " + name);
        }
        image.free(gone.inum().addr());
    }

    DirectoryWriter directories() {
        return dirs;
    }

    /**
     * Makes the file system.
     *
     * @param nowSeconds the time stamped on every system inode
     */
    public static Result format(BlockDevice dev, MkfsOptions opts, Progress progress, long nowSeconds) throws IOException {
        return new Mkfs(dev, opts, progress, nowSeconds, null).run();
    }

    public static Result format(BlockDevice dev, MkfsOptions opts) throws IOException {
        return format(dev, opts, Progress.NONE, System.currentTimeMillis() / 1000);
    }

    private Result run() throws IOException {
        try {
            opts.validate();
        } catch (IllegalArgumentException e) {
            throw new MkfsException(e.getMessage());
        }
        geo = Geometry.of(opts.bsize());
        BlockDevices.requireBlockSize(dev, opts.bsize());
        long totalBlocks = dev.size() / opts.bsize();
        int journalMiB = opts.journalSizeMiB() != 0 ? opts.journalSizeMiB()
                : MkfsOptions.defaultJournalMiB(opts.bsize(), totalBlocks, opts.journals());
        if (journalMiB < 0) {
            throw new MkfsException(String.format("device too small: %s is %.1f MiB; %d journal(s) of 8 MiB need at least"
                    + " %d MiB", dev.path(), dev.size() / 1048576.0, opts.journals(), 16 * opts.journals()));
        }
        if (((long) opts.journals() * journalMiB << 20) / opts.bsize() > totalBlocks / 2) {
            throw new MkfsException(String.format("device too small: %d journal(s) of %d MiB would take more than half"
                    + " of the %.1f MiB device", opts.journals(), journalMiB, dev.size() / 1048576.0));
        }
        Layout layout = Layout.plan(geo, totalBlocks, opts.journals(), journalMiB, opts.rgSizeMiB());
        image = new MkfsImage(geo, layout);
        dirs = new DirectoryWriter(geo, image);

        Inum[] journals = makeJournals(layout);
        Inum master = newDirectory(null, 040755, Dinode.FLAG_SYSTEM);
        Inum jindex = newDirectory(master, 040700, Dinode.FLAG_SYSTEM);
        dirs.add(master.addr(), "jindex", jindex, Dirent.DT_DIR);
        for (int j = 0; j < journals.length; j++) {
            dirs.add(jindex.addr(), "journal" + j, journals[j], Dirent.DT_REG);
        }
        Inum perNode = newDirectory(master, 040700, Dinode.FLAG_SYSTEM);
        dirs.add(master.addr(), "per_node", perNode, Dirent.DT_DIR);
        for (int j = 0; j < journals.length; j++) {
            Inum ir = newStuffedFile(new byte[16], Dinode.FLAG_SYSTEM | Dinode.FLAG_JDATA, 0);
            dirs.add(perNode.addr(), "inum_range" + j, ir, Dirent.DT_REG);
            Inum sc = newStuffedFile(new byte[StatfsChange.SIZE], Dinode.FLAG_SYSTEM | Dinode.FLAG_JDATA, 0);
            dirs.add(perNode.addr(), "statfs_change" + j, sc, Dirent.DT_REG);
            Inum qc = newQuotaChange();
            dirs.add(perNode.addr(), "quota_change" + j, qc, Dirent.DT_REG);
        }
        Inum inum = newStuffedFile(new byte[8], Dinode.FLAG_SYSTEM | Dinode.FLAG_JDATA, 0);
        dirs.add(master.addr(), "inum", inum, Dirent.DT_REG);
        Inum statfs = newStuffedFile(new byte[StatfsChange.SIZE], Dinode.FLAG_SYSTEM | Dinode.FLAG_JDATA, 0);
        dirs.add(master.addr(), "statfs", statfs, Dirent.DT_REG);
        Inum rindex = newRindex(layout);
        dirs.add(master.addr(), "rindex", rindex, Dirent.DT_REG);
        byte[] quota = new byte[2 * QuotaRecord.SIZE];
        new QuotaRecord(0, 0, 1).encode(ByteBuffer.wrap(quota), 0);
        new QuotaRecord(0, 0, 1).encode(ByteBuffer.wrap(quota), QuotaRecord.SIZE);
        Inum quotaFile = newStuffedFile(quota, Dinode.FLAG_SYSTEM | Dinode.FLAG_JDATA, Dinode.FORMAT_QUOTA);
        dirs.add(master.addr(), "quota", quotaFile, Dirent.DT_REG);
        Inum root = newDirectory(null, 040755, 0);
        if (populator != null) {
            populator.populate(this, root);
        }
        setNlink(master, 4);

        image.read(inum.addr()).putLong(Dinode.PAYLOAD_OFFSET, formal);
        StatfsChange totals = new StatfsChange(image.totalData(), image.totalFree(), image.totalDinodes());
        totals.encode(image.read(statfs.addr()), Dinode.PAYLOAD_OFFSET);

        UUID uuid = opts.uuid() != null ? opts.uuid() : UUID.randomUUID();
        Superblock sb = new Superblock(Superblock.FS_FORMAT_1802, Superblock.MULTIHOST_FORMAT, geo.bsize(),
                geo.bsizeShift(), master, root, opts.lockProto(), opts.lockTable(), uuid);
        writeAll(sb);
        return new Result(sb, layout, journalMiB, totals, now);
    }

    private Inum[] makeJournals(Layout layout) throws IOException {
        Inum[] out = new Inum[layout.journals()];
        long nIn = layout.journalIndirect();
        long n = layout.journalBlocks();
        for (int j = 0; j < out.length; j++) {
            long addr = image.take(j, 1, RgrpBitmap.DINODE);
            long in = image.take(j, nIn, RgrpBitmap.USED);
            long data = image.take(j, n, RgrpBitmap.USED);
            Inum num = new Inum(formal++, addr);
            ByteBuffer blk = ByteBuffer.allocate(geo.bsize());
            PointerTree.write(geo, blk, layout.journalHeight(), i -> data + i, n, i -> in + i, image::put);
            Dinode.create(num, 0100600).withFlags(Dinode.FLAG_SYSTEM).withSize(n * geo.bsize())
                    .withBlocks(1 + nIn + n).withLayout(layout.journalHeight(), 0, 0, 0).withTimes(now, 0)
                    .withGoals(nIn > 0 ? in + nIn - 1 : addr, data + n - 1).encode(blk);
            image.put(addr, blk);
            journalExtents.add(new long[] {data, n, addr});
            out[j] = num;
        }
        return out;
    }

    private Inum newDirectory(Inum parent, int mode, int flags) throws IOException {
        long addr = image.allocBlock(RgrpBitmap.DINODE);
        Inum num = new Inum(formal++, addr);
        ByteBuffer blk = ByteBuffer.allocate(geo.bsize());
        DirectoryWriter.initEmpty(blk, Dinode.create(num, mode).withFlags(flags | Dinode.FLAG_JDATA).withTimes(now, 0),
                parent == null ? num : parent);
        image.put(addr, blk);
        return num;
    }

    private Inum newStuffedFile(byte[] content, int flags, int payloadFormat) throws IOException {
        long addr = image.allocBlock(RgrpBitmap.DINODE);
        Inum num = new Inum(formal++, addr);
        ByteBuffer blk = ByteBuffer.allocate(geo.bsize());
        Dinode.create(num, 0100600).withFlags(flags).withSize(content.length).withLayout(0, 0, 0, payloadFormat)
                .withTimes(now, 0).encode(blk);
        blk.put(Dinode.PAYLOAD_OFFSET, content);
        image.put(addr, blk);
        return num;
    }

    private Inum newQuotaChange() throws IOException {
        long addr = image.allocBlock(RgrpBitmap.DINODE);
        Inum num = new Inum(formal++, addr);
        long size = (long) QC_MIB << 20;
        TreeBlocks t = allocateTree(size);
        ByteBuffer blk = ByteBuffer.allocate(geo.bsize());
        PointerTree.write(geo, blk, t.height, i -> t.data[(int) i], t.data.length, i -> t.indirect[(int) i], image::put);
        Dinode.create(num, 0100600).withFlags(Dinode.FLAG_SYSTEM).withSize(size).withBlocks(1 + t.indirect.length + t.data.length)
                .withLayout(t.height, 0, 0, 0).withTimes(now, 0).withGoals(t.last, addr).encode(blk);
        image.put(addr, blk);
        for (long b : t.data) {
            qcBlocks.add(b);
        }
        return num;
    }

    /** Blocks of a file's tree: data in logical order, indirect blocks level by level, and the last one allocated. */
    private record TreeBlocks(int height, long[] data, long[] indirect, long last) {
    }

    /**
     * Allocates a fully populated tree for {@code size} bytes block by block in depth-first order
     * (each indirect block before the blocks below it), as mkfs.gfs2 does for system files.
     */
    private TreeBlocks allocateTree(long size) throws IOException {
        int bsize = geo.bsize();
        long n = (size + bsize - 1) / bsize;
        int height = geo.heightForSize(size);
        long[] counts = PointerTree.levelCounts(geo, height, n);
        long[] levelStart = new long[Math.max(height, 1)];
        long total = 0;
        for (int k = 1; k < height; k++) {
            levelStart[k] = total;
            total += counts[k];
        }
        long[] data = new long[(int) n];
        long[] indirect = new long[(int) total];
        long[] last = {0};
        if (height == 1) {
            for (int i = 0; i < n; i++) {
                data[i] = last[0] = image.allocBlock(RgrpBitmap.USED);
            }
        } else {
            for (long top = 0; top < counts[1]; top++) {
                allocateSubtree(1, top, height, counts, levelStart, data, indirect, last);
            }
        }
        return new TreeBlocks(height, data, indirect, last[0]);
    }

    private void allocateSubtree(int level, long index, int height, long[] counts, long[] levelStart, long[] data,
                                 long[] indirect, long[] last) throws IOException {
        indirect[(int) (levelStart[level] + index)] = last[0] = image.allocBlock(RgrpBitmap.USED);
        int inptrs = geo.inptrs();
        if (level == height - 1) {
            for (long c = index * inptrs; c < Math.min(data.length, (index + 1) * inptrs); c++) {
                data[(int) c] = last[0] = image.allocBlock(RgrpBitmap.USED);
            }
            return;
        }
        for (long c = index * inptrs; c < Math.min(counts[level + 1], (index + 1) * inptrs); c++) {
            allocateSubtree(level + 1, c, height, counts, levelStart, data, indirect, last);
        }
    }

    private Inum newRindex(Layout layout) throws IOException {
        List<RindexEntry> rgs = layout.rgrps();
        byte[] content = new byte[rgs.size() * RindexEntry.SIZE];
        ByteBuffer cb = ByteBuffer.wrap(content);
        for (int i = 0; i < rgs.size(); i++) {
            rgs.get(i).encode(cb, i * RindexEntry.SIZE);
        }
        int flags = Dinode.FLAG_SYSTEM | Dinode.FLAG_JDATA;
        if (content.length <= geo.maxStuffed()) {
            return newStuffedFile(content, flags, Dinode.FORMAT_RINDEX);
        }
        long addr = image.allocBlock(RgrpBitmap.DINODE);
        Inum num = new Inum(formal++, addr);
        int bsize = geo.bsize();
        TreeBlocks t = allocateTree(content.length);
        for (int i = 0; i < t.data.length; i++) {
            ByteBuffer b = ByteBuffer.allocate(bsize);
            int off = i * bsize;
            b.put(0, content, off, Math.min(bsize, content.length - off));
            image.put(t.data[i], b);
        }
        ByteBuffer blk = ByteBuffer.allocate(bsize);
        PointerTree.write(geo, blk, t.height, i -> t.data[(int) i], t.data.length, i -> t.indirect[(int) i], image::put);
        Dinode.create(num, 0100600).withFlags(flags).withSize(content.length)
                .withBlocks(1 + t.indirect.length + t.data.length).withLayout(t.height, 0, 0, Dinode.FORMAT_RINDEX)
                .withTimes(now, 0).withGoals(t.last, addr).encode(blk);
        image.put(addr, blk);
        return num;
    }

    private void setNlink(Inum dir, long nlink) throws IOException {
        ByteBuffer blk = image.read(dir.addr());
        Dinode.decode(blk, dir.addr()).withNlink(nlink).encode(blk);
    }

    // ---- writing ----

    private void writeAll(Superblock sb) throws IOException {
        int bsize = geo.bsize();
        long sbBlock = geo.sbBlock();
        // Bytes 0..65535 and the old superblock: zero, so a crash midway leaves no stale file system.
        writeZeros(0, (sbBlock + 1) * bsize);
        Layout layout = image.layout();
        int nrg = image.rgrpCount();
        for (int i = 0; i < nrg; i++) {
            RindexEntry ri = layout.rgrps().get(i);
            ByteBuffer hdr = image.headerBlocks(i);
            write(ri.addr() * bsize, hdr);
            long gapEnd = layout.spanEnd(i);
            if (gapEnd > ri.dataEnd()) {
                writeZeros(ri.dataEnd() * bsize, (gapEnd - ri.dataEnd()) * bsize);
            }
            if (i % 64 == 63 || i == nrg - 1) {
                progress.report("resource groups", i + 1, nrg);
            }
        }
        writeMetadata();
        int j = 0;
        for (long[] e : journalExtents) {
            writeJournal(e[0], e[1], e[2]);
            progress.report("journals", ++j, journalExtents.size());
        }
        ByteBuffer qc = ByteBuffer.allocate(bsize);
        QuotaChange.encodeEmptyBlock(qc);
        writeRepeated(qcBlocks, qc);
        dev.flush();
        ByteBuffer sbBuf = dev.allocate(bsize);
        sb.encode(sbBuf);
        write(sbBlock * bsize, sbBuf);
        dev.flush();
    }

    /** The in-memory blocks, consecutive ones gathered into single writes. */
    private void writeMetadata() throws IOException {
        int bsize = geo.bsize();
        int maxRun = CHUNK / bsize;
        List<Map.Entry<Long, ByteBuffer>> run = new ArrayList<>();
        for (Map.Entry<Long, ByteBuffer> e : image.blocks().entrySet()) {
            if (!run.isEmpty() && (e.getKey() != run.get(run.size() - 1).getKey() + 1 || run.size() == maxRun)) {
                flushRun(run);
            }
            run.add(e);
        }
        flushRun(run);
    }

    private void flushRun(List<Map.Entry<Long, ByteBuffer>> run) throws IOException {
        if (run.isEmpty()) {
            return;
        }
        int bsize = geo.bsize();
        ByteBuffer buf = dev.allocate(run.size() * bsize);
        for (int i = 0; i < run.size(); i++) {
            buf.put(i * bsize, run.get(i).getValue(), 0, bsize);
        }
        write(run.get(0).getKey() * bsize, buf);
        run.clear();
    }

    /** Every journal block an UNMOUNT header; sequence numbers a rotation of 0..n-1 from a random start. */
    private void writeJournal(long first, long n, long jinode) throws IOException {
        int bsize = geo.bsize();
        long start = (long) (Math.random() * n);
        int per = CHUNK / bsize;
        ByteBuffer buf = dev.allocate(per * bsize);
        for (long done = 0; done < n; ) {
            int count = (int) Math.min(per, n - done);
            for (int k = 0; k < count; k++) {
                long idx = done + k;
                LogHeader.encode(buf.slice(k * bsize, bsize), LogHeader.builder()
                        .sequence((start + idx) % n)
                        .flags(LogHeader.FLAG_UNMOUNT | LogHeader.FLAG_USERSPACE)
                        .blkno(idx)
                        .addr(first + idx)
                        .jinode(jinode), true);
            }
            write((first + done) * bsize, buf.duplicate().limit(count * bsize));
            done += count;
        }
    }

    /** Writes {@code block} at every block number in {@code where} (ascending runs gathered into single writes). */
    private void writeRepeated(List<Long> where, ByteBuffer block) throws IOException {
        int bsize = geo.bsize();
        long[] sorted = where.stream().mapToLong(Long::longValue).sorted().toArray();
        int per = CHUNK / bsize;
        ByteBuffer buf = dev.allocate((int) Math.min(sorted.length, per) * bsize + bsize);
        for (int k = 0; k < buf.capacity() / bsize; k++) {
            buf.put(k * bsize, block, 0, bsize);
        }
        for (int i = 0; i < sorted.length; ) {
            int j = i + 1;
            while (j < sorted.length && sorted[j] == sorted[j - 1] + 1 && j - i < per) {
                j++;
            }
            write(sorted[i] * bsize, buf.duplicate().limit((j - i) * bsize));
            i = j;
        }
    }

    private void writeZeros(long offset, long len) throws IOException {
        ByteBuffer zeros = dev.allocate((int) Math.min(len, CHUNK));
        for (long done = 0; done < len; ) {
            int n = (int) Math.min(zeros.capacity(), len - done);
            write(offset + done, zeros.duplicate().limit(n));
            done += n;
        }
    }

    private void write(long offset, ByteBuffer buf) throws IOException {
        dev.write(offset, buf.duplicate().position(0));
    }
}
