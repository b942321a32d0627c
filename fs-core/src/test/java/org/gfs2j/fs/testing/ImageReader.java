package org.gfs2j.fs.testing;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.ondisk.Dirent;
import org.gfs2j.fs.ondisk.Geometry;
import org.gfs2j.fs.ondisk.IndirectBlock;
import org.gfs2j.fs.ondisk.Inum;
import org.gfs2j.fs.ondisk.Leaf;
import org.gfs2j.fs.ondisk.RindexEntry;
import org.gfs2j.fs.ondisk.Superblock;
import org.gfs2j.journal.format.MetaHeader;
import org.gfs2j.journal.format.MetaType;

/**
 * A deliberately small test-only reader built on the codecs: enough to reach system files,
 * directory entries, file contents and rgrps of an image, so that tests can check codecs against
 * real images. (The file system's real read path lives elsewhere.)
 */
public final class ImageReader implements Closeable {
    private final FileChannel ch;
    public final Superblock sb;
    public final Geometry geo;
    public final int bsize;

    public ImageReader(Path img) throws IOException {
        ch = FileChannel.open(img, StandardOpenOption.READ);
        ByteBuffer b = ByteBuffer.allocate(4096);
        ch.read(b, Geometry.SB_BYTE_OFFSET);
        int bs = b.getInt(Superblock.OFF_BSIZE);
        sb = Superblock.decode(b.position(0).limit(bs).slice(), Geometry.SB_BYTE_OFFSET / bs);
        geo = sb.geometry();
        bsize = sb.bsize();
    }

    public ByteBuffer block(long n) throws IOException {
        return blocks(n, 1);
    }

    public ByteBuffer blocks(long n, int count) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(count * bsize);
        while (b.hasRemaining()) {
            if (ch.read(b, n * bsize + b.position()) < 0) {
                throw new IOException("EOF at block " + n);
            }
        }
        return b.flip();
    }

    public Dinode dinode(long addr) throws IOException {
        return Dinode.decode(block(addr), addr);
    }

    /** Data block numbers of a dinode in logical order (0 for holes), for a height ≥ 1 tree. */
    public List<Long> dataBlocks(long addr) throws IOException {
        ByteBuffer blk = block(addr);
        Dinode d = Dinode.decode(blk, addr);
        List<Long> out = new ArrayList<>();
        if (d.height() == 0) {
            return out;
        }
        List<Long> level = new ArrayList<>();
        for (int i = 0; i < geo.diptrs(); i++) {
            level.add(Dinode.pointer(blk, i));
        }
        for (int h = 1; h < d.height(); h++) {
            List<Long> next = new ArrayList<>();
            for (long p : level) {
                if (p == 0) {
                    for (int i = 0; i < geo.inptrs(); i++) {
                        next.add(0L);
                    }
                    continue;
                }
                ByteBuffer in = block(p);
                IndirectBlock ib = IndirectBlock.decode(in, p);
                for (long q : ib.pointers()) {
                    next.add(q);
                }
            }
            level = next;
        }
        return level;
    }

    /** The file's content (di_size bytes); JD blocks of a directory hash table have their header skipped. */
    public byte[] content(long addr) throws IOException {
        ByteBuffer blk = block(addr);
        Dinode d = Dinode.decode(blk, addr);
        int size = (int) d.size();
        byte[] out = new byte[size];
        if (d.height() == 0) {
            blk.get(Dinode.PAYLOAD_OFFSET, out, 0, size);
            return out;
        }
        boolean jd = d.isDirectory();
        int per = jd ? geo.jbsize() : bsize;
        int pos = 0;
        for (long p : dataBlocks(addr)) {
            if (pos >= size) {
                break;
            }
            int n = Math.min(per, size - pos);
            if (p != 0) {
                ByteBuffer b = block(p);
                if (jd) {
                    MetaHeader.check(b, p, MetaType.JD);
                }
                b.get(jd ? MetaHeader.SIZE : 0, out, pos, n);
            }
            pos += n;
        }
        return out;
    }

    /** The leaf blocks of an exhash directory: distinct table targets in table order, then chains. */
    public List<Long> leaves(long dirAddr) throws IOException {
        byte[] table = content(dirAddr);
        ByteBuffer t = ByteBuffer.wrap(table);
        LinkedHashSet<Long> set = new LinkedHashSet<>();
        for (int i = 0; i < table.length / 8; i++) {
            long leaf = t.getLong(8 * i);
            while (leaf != 0 && set.add(leaf)) {
                leaf = Leaf.decode(block(leaf), leaf).next();
            }
        }
        return new ArrayList<>(set);
    }

    /** Every live dirent of a directory (linear or exhash). */
    public List<Dirent> dirents(long dirAddr) throws IOException {
        ByteBuffer blk = block(dirAddr);
        Dinode d = Dinode.decode(blk, dirAddr);
        List<Dirent> out = new ArrayList<>();
        if (!d.isExhashDir()) {
            for (Dirent.Located l : Dirent.live(Dirent.walk(blk, Dinode.PAYLOAD_OFFSET, dirAddr))) {
                out.add(l.dirent());
            }
            return out;
        }
        for (long leaf : leaves(dirAddr)) {
            ByteBuffer lb = block(leaf);
            Leaf lf = Leaf.decode(lb, leaf);
            for (Dirent.Located l : Dirent.live(lf.dirents(lb, leaf))) {
                out.add(l.dirent());
            }
        }
        return out;
    }

    private final java.util.Map<Long, List<Dirent>> listings = new java.util.HashMap<>();

    /** Lookups cache directory listings: the reader is for images nobody changes meanwhile. */
    public Inum lookup(long dirAddr, String name) throws IOException {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        List<Dirent> list = listings.get(dirAddr);
        if (list == null) {
            list = dirents(dirAddr);
            listings.put(dirAddr, list);
        }
        for (Dirent d : list) {
            if (d.nameEquals(n)) {
                return d.inum();
            }
        }
        return null;
    }

    /** Resolves a slash-separated path from root. */
    public Inum path(String path) throws IOException {
        Inum cur = sb.rootDir();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            cur = lookup(cur.addr(), part);
            if (cur == null) {
                return null;
            }
        }
        return cur;
    }

    public Inum master(String name) throws IOException {
        return lookup(sb.masterDir().addr(), name);
    }

    public List<RindexEntry> rindex() throws IOException {
        byte[] raw = content(master("rindex").addr());
        List<RindexEntry> out = new ArrayList<>();
        for (int off = 0; off < raw.length; off += RindexEntry.SIZE) {
            out.add(RindexEntry.decode(ByteBuffer.wrap(raw), off, -1, geo));
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
