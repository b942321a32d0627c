package org.gfs2j.fs.meta;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.ondisk.Geometry;
import org.gfs2j.fs.ondisk.RgrpBitmap;
import org.gfs2j.fs.ondisk.RgrpHeader;
import org.gfs2j.fs.ondisk.RindexEntry;
import org.gfs2j.fs.ondisk.StatfsChange;
import org.gfs2j.fs.ondisk.Superblock;
import org.gfs2j.journal.device.BlockDevice;
import org.gfs2j.journal.device.BlockDevices;
import org.gfs2j.journal.format.CorruptMetadataException;
import org.gfs2j.journal.format.LogHeader;
import org.gfs2j.journal.format.MetaHeader;
import org.gfs2j.journal.format.MetaType;

/**
 * Read-only access to a whole GFS2 file system (spec 15.4): validates the superblock, then
 * reaches the master directory and its system files (rindex, jindex, per_node, statfs, ...), the
 * resource groups, the journals and the user tree. Every structure is read on demand from the
 * {@link BlockSource}; nothing is cached here.
 */
public final class FileSystemReader implements Closeable {
    private static final Pattern JOURNAL_NAME = Pattern.compile("journal(\\d{1,9})");
    /** Upper bound for the rindex file: 2^20 rgrps. */
    private static final int MAX_RINDEX_BYTES = RindexEntry.SIZE << 20;

    private final BlockSource src;
    private final Closeable owner;
    private final Superblock sb;
    private final Geometry geo;
    private final Pointers ptrs;

    /** Opens an image file or block device read-only. */
    public static FileSystemReader open(Path device) throws IOException {
        BlockDevice dev = BlockDevices.open(device, true, 0);
        try {
            int bsize = probeBlockSize(dev);
            BlockDevices.requireBlockSize(dev, bsize);
            return new FileSystemReader(new DeviceBlockSource(dev, bsize), dev);
        } catch (IOException | RuntimeException e) {
            dev.close();
            throw e;
        }
    }

    /** Reads the superblock's sb_bsize; NotGfs2Exception when there is no GFS2 superblock. */
    private static int probeBlockSize(BlockDevice dev) throws IOException {
        long off = Geometry.SB_BYTE_OFFSET;
        if (dev.size() < off + Math.max(Geometry.MIN_BSIZE, dev.alignment())) {
            throw new NotGfs2Exception(dev.path() + ": not a GFS2 file system (" + dev.size()
                    + " bytes, too small to hold a superblock at byte 65536)");
        }
        // O_DIRECT devices need transfers of their alignment; the first 512 bytes hold all we probe.
        ByteBuffer head = dev.allocate(Math.max(Geometry.MIN_BSIZE, dev.alignment()));
        dev.read(off, head);
        head.flip();
        if (MetaHeader.typeOf(head, 0) != MetaType.SB) {
            throw new NotGfs2Exception(dev.path() + ": not a GFS2 file system (no superblock at byte 65536)");
        }
        int bsize = head.getInt(Superblock.OFF_BSIZE);
        if (!Geometry.isValidBlockSize(bsize)) {
            throw new CorruptMetadataException(off / Geometry.MIN_BSIZE, "superblock", "sb_bsize",
                    bsize + " is not a power of two in 512..4096");
        }
        if (dev.size() < off + bsize) {
            throw new NotGfs2Exception(dev.path() + ": not a GFS2 file system (truncated superblock)");
        }
        return bsize;
    }

    /** A reader over {@code src}; {@code owner} (may be null) is closed with this reader. */
    public FileSystemReader(BlockSource src, Closeable owner) throws IOException {
        this.src = src;
        this.owner = owner;
        int bsize = src.blockSize();
        long sbBlock = Geometry.SB_BYTE_OFFSET / bsize;
        if (sbBlock >= src.blockCount()) {
            throw new NotGfs2Exception("not a GFS2 file system (device too small)");
        }
        ByteBuffer b = src.read(sbBlock);
        if (MetaHeader.typeOf(b, 0) != MetaType.SB) {
            throw new NotGfs2Exception("not a GFS2 file system (no superblock at byte 65536)");
        }
        this.sb = Superblock.decode(b, sbBlock);
        if (sb.bsize() != bsize) {
            throw new CorruptMetadataException(sbBlock, "superblock", "sb_bsize", sb.bsize() + ", read with " + bsize);
        }
        this.geo = sb.geometry();
        this.ptrs = new Pointers(src, geo.sbBlock());
    }

    public Superblock superblock() {
        return sb;
    }

    public Geometry geometry() {
        return geo;
    }

    public BlockSource source() {
        return src;
    }

    public Pointers pointers() {
        return ptrs;
    }

    /** The dinode at block {@code addr} (e.g. for "show inode N"). */
    public Inode inode(long addr) throws IOException {
        if (addr <= geo.sbBlock() || addr >= src.blockCount()) {
            throw new NoSuchPathException("block " + addr + " is outside the file system (blocks "
                    + (geo.sbBlock() + 1) + ".." + (src.blockCount() - 1) + ")");
        }
        ByteBuffer b = src.read(addr);
        MetaType type = MetaHeader.typeOf(b, 0);
        if (type != MetaType.DI) {
            throw new NoSuchPathException("block " + addr + " is not a dinode (it holds "
                    + (type == null ? "no GFS2 metadata" : "a " + type.description()) + ")");
        }
        return new Inode(addr, Dinode.decode(b, addr), b);
    }

    public Inode root() throws IOException {
        return Inode.read(ptrs, sb.rootDir().addr(), geo.sbBlock(), "superblock", "sb_root_dir");
    }

    public Inode master() throws IOException {
        return Inode.read(ptrs, sb.masterDir().addr(), geo.sbBlock(), "superblock", "sb_master_dir");
    }

    public DirectoryReader directory(Inode dir) throws IOException {
        return new DirectoryReader(ptrs, geo, dir);
    }

    public FileReader file(Inode inode) throws IOException {
        return FileReader.of(ptrs, geo, inode);
    }

    public FileMap fileMap(Inode inode) throws IOException {
        return FileMap.of(ptrs, geo, inode);
    }

    public XattrReader xattrs(Inode inode) {
        return new XattrReader(ptrs, geo, inode, sb.fsFormat());
    }

    public byte[] symlinkTarget(Inode inode) throws IOException {
        return SymlinkReader.target(ptrs, geo, inode);
    }

    /** The inode an entry names, checking that the dinode's formal number matches the entry's. */
    public Inode inode(Inode dir, DirectoryReader.Entry e) throws IOException {
        String structure = "directory entry " + e.name() + " of directory " + dir.addr();
        Inode child = Inode.read(ptrs, e.inum().addr(), e.block(), structure, "de_inum.no_addr");
        if (child.dinode().num().formalIno() != e.inum().formalIno()) {
            throw new CorruptMetadataException(e.block(), structure, "de_inum.no_formal_ino",
                    e.inum().formalIno() + ", the dinode at " + child.addr() + " has " + child.dinode().num().formalIno());
        }
        return child;
    }

    /** Looks {@code name} up in directory {@code dir}. */
    public Optional<Inode> lookup(Inode dir, String name) throws IOException {
        Optional<DirectoryReader.Entry> e = directory(dir).lookup(name);
        return e.isPresent() ? Optional.of(inode(dir, e.get())) : Optional.empty();
    }

    /**
     * Resolves a slash-separated path from the root (leading '/' optional, "." and ".." handled
     * by the directories' own entries). Symlinks are not followed.
     */
    public Inode resolve(String path) throws IOException {
        return resolve(root(), path);
    }

    public Inode resolve(Inode start, String path) throws IOException {
        Inode cur = start;
        StringBuilder sofar = new StringBuilder();
        for (String part : path.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            if (!cur.dinode().isDirectory()) {
                throw new NoSuchPathException(sofar + ": Not a directory");
            }
            sofar.append('/').append(part);
            Optional<Inode> next = lookup(cur, part);
            if (next.isEmpty()) {
                throw new NoSuchPathException(sofar + ": No such file or directory");
            }
            cur = next.get();
        }
        return cur;
    }

    /** A system file in the master directory (rindex, jindex, per_node, statfs, inum, quota). */
    public Inode systemFile(String name) throws IOException {
        Optional<Inode> f = lookup(master(), name);
        if (f.isEmpty()) {
            throw new CorruptMetadataException(sb.masterDir().addr(), "master directory", name, "system file missing");
        }
        return f.get();
    }

    /** The rindex entries (validated individually and for ascending, non-overlapping order). */
    public List<RindexEntry> rindex() throws IOException {
        Inode ri = systemFile("rindex");
        long size = ri.dinode().size();
        if (size % RindexEntry.SIZE != 0 || size == 0) {
            throw new CorruptMetadataException(ri.addr(), "rindex dinode", "di_size", size + " is not a positive multiple of 96");
        }
        // At least 5 blocks per rgrp (a header and 4 data blocks): more entries cannot fit the device.
        long maxBytes = Math.min(MAX_RINDEX_BYTES, RindexEntry.SIZE * (src.blockCount() / 5 + 1));
        byte[] raw = file(ri).readAll((int) maxBytes);
        ByteBuffer b = ByteBuffer.wrap(raw);
        List<RindexEntry> out = new ArrayList<>();
        long prevEnd = geo.sbBlock() + 1;
        for (int off = 0; off < raw.length; off += RindexEntry.SIZE) {
            RindexEntry e = RindexEntry.decode(b, off, -1, geo);
            if (e.addr() < prevEnd || e.dataEnd() > src.blockCount()) {
                throw new CorruptMetadataException(-1, "rindex entry " + out.size(), "ri_addr",
                        e.addr() + " (" + e.data() + " data blocks) overlaps the previous rgrp or leaves the device");
            }
            prevEnd = e.dataEnd();
            out.add(e);
        }
        return out;
    }

    /** Every resource group with header and bitmap. */
    public List<ResourceGroup> resourceGroups() throws IOException {
        List<ResourceGroup> out = new ArrayList<>();
        for (RindexEntry e : rindex()) {
            out.add(resourceGroup(e));
        }
        return out;
    }

    public ResourceGroup resourceGroup(RindexEntry e) throws IOException {
        int bsize = geo.bsize();
        ByteBuffer all = ByteBuffer.allocate((int) e.length() * bsize);
        for (int k = 0; k < e.length(); k++) {
            all.put(k * bsize, ptrs.source().read(e.addr() + k), 0, bsize);
        }
        ByteBuffer first = all.duplicate().position(0).limit(bsize).slice();
        RgrpHeader h = RgrpHeader.decode(first, e.addr());
        h.checkAgainst(e, e.addr());
        RgrpBitmap.checkBitmapBlocks(all, geo, e.addr(), (int) e.length());
        return new ResourceGroup(e, h, new RgrpBitmap(all, geo, e.data()), first.getInt(RgrpHeader.OFF_CRC) != 0);
    }

    /** The journals listed in jindex ("journalN"), ordered by N, with their extents. */
    public List<Journal> journals() throws IOException {
        Inode jindex = systemFile("jindex");
        TreeMap<Integer, Inode> byId = new TreeMap<>();
        for (DirectoryReader.Entry e : directory(jindex).list()) {
            Matcher m = JOURNAL_NAME.matcher(e.name());
            if (m.matches()) {
                byId.put(Integer.parseInt(m.group(1)), inode(jindex, e));
            }
        }
        List<Journal> out = new ArrayList<>();
        for (var en : byId.entrySet()) {
            out.add(journal(en.getKey(), en.getValue()));
        }
        return out;
    }

    /** Journal {@code id}, found the kernel's way (jindex lookup of "journal" + id). */
    public Journal journal(int id) throws IOException {
        Inode jindex = systemFile("jindex");
        Optional<Inode> j = lookup(jindex, "journal" + id);
        if (j.isEmpty()) {
            throw new NoSuchPathException("journal" + id + ": no such journal in jindex");
        }
        return journal(id, j.get());
    }

    /** The device runs holding journal {@code id}'s blocks, in journal order (for replay). */
    public List<Extent> journalExtents(int id) throws IOException {
        return journal(id).extents();
    }

    private Journal journal(int id, Inode inode) throws IOException {
        Dinode d = inode.dinode();
        if (!d.isRegular() || d.size() % geo.bsize() != 0 || d.size() == 0) {
            throw new CorruptMetadataException(inode.addr(), "journal" + id + " dinode", "di_size",
                    d.size() + " is not a positive multiple of the block size");
        }
        long blocks = d.size() / geo.bsize();
        List<Extent> ext = fileMap(inode).extents();
        long expect = 0;
        for (Extent e : ext) {
            if (e.logical() != expect) {
                throw new CorruptMetadataException(inode.addr(), "journal" + id + " dinode", "data tree",
                        "hole at journal block " + expect);
            }
            expect = e.logicalEnd();
        }
        if (expect != blocks) {
            throw new CorruptMetadataException(inode.addr(), "journal" + id + " dinode", "data tree",
                    "hole at journal block " + expect + " of " + blocks);
        }
        return new Journal(id, inode, blocks, List.copyOf(ext));
    }

    /**
     * Finds the journal's head the way the current kernel does: read log headers from block 0
     * and keep the last valid one before the sequence number drops.
     */
    public Journal.Head head(Journal j) throws IOException {
        LogHeader head = null;
        long headIndex = -1;
        long valid = 0;
        long index = 0;
        for (Extent e : j.extents()) {
            for (long i = 0; i < e.length(); i++, index++) {
                LogHeader h = LogHeader.tryDecode(src.read(e.device() + i));
                if (h == null) {
                    continue;
                }
                if (head != null && Long.compareUnsigned(h.sequence(), head.sequence()) < 0) {
                    return new Journal.Head(head, headIndex, valid);
                }
                valid++;
                head = h;
                headIndex = index;
            }
        }
        return new Journal.Head(head, headIndex, valid);
    }

    /** The master statfs file: absolute totals. */
    public StatfsChange masterStatfs() throws IOException {
        return statfsFile(systemFile("statfs"));
    }

    /** statfs_changeN of every journal (pending deltas), indexed by journal id. */
    public TreeMap<Integer, StatfsChange> statfsChanges() throws IOException {
        Inode perNode = systemFile("per_node");
        TreeMap<Integer, StatfsChange> out = new TreeMap<>();
        for (Journal j : journals()) {
            Optional<Inode> f = lookup(perNode, "statfs_change" + j.id());
            if (f.isEmpty()) {
                throw new CorruptMetadataException(perNode.addr(), "per_node directory", "statfs_change" + j.id(), "missing");
            }
            out.put(j.id(), statfsFile(f.get()));
        }
        return out;
    }

    /** statfs(2) figures: master totals plus every node's pending deltas, as the kernel reports them. */
    public Statfs statfs() throws IOException {
        StatfsChange sum = masterStatfs();
        for (StatfsChange c : statfsChanges().values()) {
            sum = sum.plus(c);
        }
        return Statfs.of(geo.bsize(), sum);
    }

    private StatfsChange statfsFile(Inode f) throws IOException {
        if (!f.dinode().isStuffed() || f.dinode().size() < StatfsChange.SIZE) {
            throw new CorruptMetadataException(f.addr(), "statfs dinode", "di_size", "must be stuffed with at least 24 bytes");
        }
        return StatfsChange.decode(f.block(), Dinode.PAYLOAD_OFFSET, f.addr());
    }

    @Override
    public void close() throws IOException {
        if (owner != null) {
            owner.close();
        }
    }
}
