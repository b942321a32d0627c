package org.gfs2j.fs.dir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.ondisk.Dirent;
import org.gfs2j.fs.ondisk.EdBlock;
import org.gfs2j.fs.ondisk.Geometry;
import org.gfs2j.fs.ondisk.IndirectBlock;
import org.gfs2j.fs.ondisk.Inum;
import org.gfs2j.fs.ondisk.Leaf;
import org.gfs2j.fs.ondisk.PointerTree;
import org.gfs2j.journal.format.Checksums;
import org.gfs2j.journal.format.CorruptMetadataException;
import org.gfs2j.journal.format.MetaType;

/**
 * Adds entries to GFS2 directories (spec 7): linear directories in the dinode block, conversion to
 * extendible hashing when the block is full, then leaf splits, table doubling (moving the table
 * into JD blocks when it outgrows the dinode) and, at depth 17, leaf chains.
 *
 * <p>Blocks are read, written, allocated and freed through {@link DirBlockIo}. Entries are stored
 * compactly (each at DIRENT_SIZE, the last one running to the block end); link counts are the
 * caller's business.
 */
public final class DirectoryWriter {
    private final Geometry geo;
    private final DirBlockIo io;

    public DirectoryWriter(Geometry geo, DirBlockIo io) {
        this.geo = geo;
        this.io = io;
    }

    /**
     * Writes a new, empty linear directory into {@code block}: the dinode {@code d} (with the
     * directory layout fields filled in) followed by {@code .} → self and {@code ..} → parent; nlink 2.
     */
    public static Dinode initEmpty(ByteBuffer block, Dinode d, Inum parent) {
        int bsize = block.limit();
        Dinode dir = d.withFlags(d.flags() | Dinode.FLAG_JDATA).withSize(bsize - Dinode.SIZE)
                .withLayout(0, 0, 2, Dinode.FORMAT_DIRENT).withNlink(2);
        for (int i = 0; i < bsize; i++) {
            block.put(i, (byte) 0);
        }
        dir.encode(block);
        writeCompact(block, Dinode.PAYLOAD_OFFSET, List.of(
                Dirent.of(".", d.num(), Dirent.DT_DIR, 0), Dirent.of("..", parent, Dirent.DT_DIR, 0)));
        return dir;
    }

    /** Adds {@code name} → {@code target} (of Linux d_type {@code dtype}) to the directory at {@code dirAddr}. */
    public void add(long dirAddr, String name, Inum target, int dtype) throws IOException {
        add(dirAddr, name.getBytes(StandardCharsets.UTF_8), target, dtype);
    }

    /**
     * Adds the name given as raw bytes (Linux names are any bytes but '/' and NUL; the hash is
     * taken over these bytes, spec 7.1).
     */
    public void add(long dirAddr, byte[] name, Inum target, int dtype) throws IOException {
        byte[] nm = name.clone();
        if (!isValidName(nm)) {
            throw new IllegalArgumentException("invalid file name: \""
                    + new String(nm, StandardCharsets.ISO_8859_1) + "\"");
        }
        if (lookup(dirAddr, nm) != null) {
            throw new FileAlreadyExistsException(new String(nm, StandardCharsets.UTF_8));
        }
        Dirent entry = new Dirent(target, Checksums.gfs2Hash(nm), 0, dtype, 0, nm);
        ByteBuffer blk = io.read(dirAddr);
        Dinode d = Dinode.decode(blk, dirAddr);
        if (!d.isDirectory()) {
            throw new CorruptMetadataException(dirAddr, "dinode", "di_mode", "not a directory");
        }
        if (!d.isExhashDir()) {
            if (insertInPlace(blk, Dinode.PAYLOAD_OFFSET, entry, dirAddr)) {
                d.withLayout(0, 0, d.entries() + 1, Dinode.FORMAT_DIRENT).encode(blk);
                io.write(dirAddr, blk);
                return;
            }
            d = convertToExhash(dirAddr, blk, d);
        }
        insertExhash(dirAddr, blk, d, entry);
    }

    /**
     * Removes the entry {@code name} (spec 7.2: the previous record absorbs it, or it becomes the
     * block's leading sentinel) and returns it, or null when there is none. Leaves and tables are
     * never merged or shrunk, as in the kernel.
     */
    public Dirent remove(long dirAddr, String name) throws IOException {
        return remove(dirAddr, name.getBytes(StandardCharsets.UTF_8));
    }

    /** {@link #remove(long, String)} of a name given as raw bytes. */
    public Dirent remove(long dirAddr, byte[] nm) throws IOException {
        ByteBuffer blk = io.read(dirAddr);
        Dinode d = Dinode.decode(blk, dirAddr);
        if (!d.isExhashDir()) {
            Dirent.Located hit = findLocated(blk, Dinode.PAYLOAD_OFFSET, dirAddr, nm);
            if (hit == null) {
                return null;
            }
            deleteInPlace(blk, Dinode.PAYLOAD_OFFSET, hit.offset(), dirAddr);
            d.withLayout(d.height(), d.depth(), d.entries() - 1, d.payloadFormat()).encode(blk);
            io.write(dirAddr, blk);
            return hit.dirent();
        }
        long[] table = readTable(blk, d);
        for (long leaf = table[index(Checksums.gfs2Hash(nm), d.depth())]; leaf != 0; ) {
            ByteBuffer lb = io.read(leaf);
            Leaf lf = Leaf.decode(lb, leaf);
            Dirent.Located hit = findLocated(lb, Leaf.SIZE, leaf, nm);
            if (hit != null) {
                deleteInPlace(lb, Leaf.SIZE, hit.offset(), leaf);
                lf.withEntries(lf.entries() - 1).encode(lb);
                io.write(leaf, lb);
                d.withLayout(d.height(), d.depth(), d.entries() - 1, d.payloadFormat()).encode(blk);
                io.write(dirAddr, blk);
                return hit.dirent();
            }
            leaf = lf.next();
        }
        return null;
    }

    private static Dirent.Located findLocated(ByteBuffer blk, int start, long blockNo, byte[] nm)
            throws CorruptMetadataException {
        for (Dirent.Located l : Dirent.live(Dirent.walk(blk, start, blockNo))) {
            if (l.dirent().nameEquals(nm)) {
                return l;
            }
        }
        return null;
    }

    /** The entry named {@code name}, or null. */
    public Dirent lookup(long dirAddr, String name) throws IOException {
        return lookup(dirAddr, name.getBytes(StandardCharsets.UTF_8));
    }

    /** The entry whose name is exactly these bytes, or null. */
    public Dirent lookup(long dirAddr, byte[] nm) throws IOException {
        ByteBuffer blk = io.read(dirAddr);
        Dinode d = Dinode.decode(blk, dirAddr);
        if (!d.isExhashDir()) {
            return find(liveEntries(blk, Dinode.PAYLOAD_OFFSET, dirAddr), nm);
        }
        long[] table = readTable(blk, d);
        int idx = index(Checksums.gfs2Hash(nm), d.depth());
        for (long leaf = table[idx]; leaf != 0; ) {
            ByteBuffer lb = io.read(leaf);
            Leaf lf = Leaf.decode(lb, leaf);
            Dirent hit = find(liveEntries(lb, Leaf.SIZE, leaf), nm);
            if (hit != null) {
                return hit;
            }
            leaf = lf.next();
        }
        return null;
    }

    /** Every live entry, linear order or table order of leaves (chains followed). */
    public List<Dirent> list(long dirAddr) throws IOException {
        ByteBuffer blk = io.read(dirAddr);
        Dinode d = Dinode.decode(blk, dirAddr);
        if (!d.isExhashDir()) {
            return liveEntries(blk, Dinode.PAYLOAD_OFFSET, dirAddr);
        }
        LinkedHashSet<Long> leaves = new LinkedHashSet<>();
        for (long l : readTable(blk, d)) {
            leaves.add(l);
        }
        List<Dirent> out = new ArrayList<>();
        LinkedHashSet<Long> seen = new LinkedHashSet<>();
        for (long first : leaves) {
            for (long leaf = first; leaf != 0 && seen.add(leaf); ) {
                ByteBuffer lb = io.read(leaf);
                Leaf lf = Leaf.decode(lb, leaf);
                out.addAll(liveEntries(lb, Leaf.SIZE, leaf));
                leaf = lf.next();
            }
        }
        return out;
    }

    /** 1 to {@link Dirent#MAX_NAME} bytes, none of them '/' or NUL. */
    public static boolean isValidName(byte[] nm) {
        if (nm.length == 0 || nm.length > Dirent.MAX_NAME) {
            return false;
        }
        for (byte c : nm) {
            if (c == '/' || c == 0) {
                return false;
            }
        }
        return true;
    }

    private static Dirent find(List<Dirent> entries, byte[] nm) {
        for (Dirent e : entries) {
            if (e.nameEquals(nm)) {
                return e;
            }
        }
        return null;
    }

    private static int index(int hash, int depth) {
        return (int) (Integer.toUnsignedLong(hash) >>> (32 - depth));
    }

    private static List<Dirent> liveEntries(ByteBuffer blk, int start, long blockNo) throws CorruptMetadataException {
        List<Dirent> out = new ArrayList<>();
        for (Dirent.Located l : Dirent.live(Dirent.walk(blk, start, blockNo))) {
            out.add(l.dirent());
        }
        return out;
    }

    /**
     * Inserts {@code entry} into the dirents tiling {@code blk} from {@code start}, as the kernel
     * does: the first entry with room after its own record (or a sentinel big enough) is split
     * and the new entry takes the rest of its record. Returns false when no entry has room.
     */
    public static boolean insertInPlace(ByteBuffer blk, int start, Dirent entry, long blockNo)
            throws CorruptMetadataException {
        int need = Dirent.direntSize(entry.name().length);
        for (Dirent.Located l : Dirent.walk(blk, start, blockNo)) {
            Dirent cur = l.dirent();
            if (cur.isSentinel() && cur.recLen() >= need) {
                entry.withRecLen(cur.recLen()).encode(blk, l.offset());
                return true;
            }
            if (!cur.isSentinel() && cur.freeSpace() >= need) {
                int own = cur.usedSize();
                entry.withRecLen(cur.recLen() - own).encode(blk, l.offset() + own);
                Dirent.setRecLen(blk, l.offset(), own);
                return true;
            }
        }
        return false;
    }

    /**
     * Removes the entry at {@code offset} (spec 7.2): the previous entry absorbs its record; the
     * first entry of a block cannot be absorbed and becomes a sentinel instead.
     */
    public static void deleteInPlace(ByteBuffer blk, int start, int offset, long blockNo) throws CorruptMetadataException {
        int prev = -1;
        for (Dirent.Located l : Dirent.walk(blk, start, blockNo)) {
            if (l.offset() == offset) {
                if (prev < 0) {
                    Inum.ZERO.encode(blk, offset + Dirent.OFF_INUM);
                    blk.putInt(offset + Dirent.OFF_HASH, 0);
                } else {
                    Dirent.setRecLen(blk, prev, Dirent.recLenAt(blk, prev) + l.dirent().recLen());
                }
                return;
            }
            prev = l.offset();
        }
        throw new IllegalArgumentException("no dirent at offset " + offset);
    }

    /**
     * Tiles {@code entries} compactly from {@code start} to the end of the block; an empty list
     * becomes one sentinel spanning the region.
     */
    public static void writeCompact(ByteBuffer blk, int start, List<Dirent> entries) {
        int end = blk.limit();
        for (int i = start; i < end; i++) {
            blk.put(i, (byte) 0);
        }
        if (entries.isEmpty()) {
            Dirent.sentinel(end - start).encode(blk, start);
            return;
        }
        int off = start;
        for (int i = 0; i < entries.size(); i++) {
            Dirent e = entries.get(i);
            int len = i == entries.size() - 1 ? end - off : Dirent.direntSize(e.name().length);
            e.withRecLen(len).encode(blk, off);
            off += len;
        }
        if (off != end) {
            throw new IllegalStateException("entries overflow the block");
        }
    }

    private Dinode convertToExhash(long dirAddr, ByteBuffer blk, Dinode d) throws IOException {
        long leafAddr = io.allocate(dirAddr);
        ByteBuffer lb = ByteBuffer.allocate(geo.bsize());
        Leaf.empty(0, dirAddr).withEntries((int) d.entries()).encode(lb);
        // Same relative layout; the last record grows by the size difference of the two headers.
        lb.put(Leaf.SIZE, blk, Dinode.PAYLOAD_OFFSET, geo.bsize() - Dinode.PAYLOAD_OFFSET);
        List<Dirent.Located> all = Dirent.walk(blk, Dinode.PAYLOAD_OFFSET, dirAddr);
        int lastOff = all.get(all.size() - 1).offset() - Dinode.PAYLOAD_OFFSET + Leaf.SIZE;
        Dirent.setRecLen(lb, lastOff, Dirent.recLenAt(lb, lastOff) + Dinode.PAYLOAD_OFFSET - Leaf.SIZE);
        io.write(leafAddr, lb);
        long[] table = new long[geo.hashPtrs()];
        java.util.Arrays.fill(table, leafAddr);
        Dinode ex = d.withFlags(d.flags() | Dinode.FLAG_EXHASH).withLayout(0, geo.minDirDepth(), d.entries(), 0)
                .withBlocks(d.blocks() + 1).withGoals(leafAddr, d.goalData());
        return writeTable(dirAddr, blk, ex, table);
    }

    private void insertExhash(long dirAddr, ByteBuffer blk, Dinode d, Dirent entry) throws IOException {
        while (true) {
            long[] table = readTable(blk, d);
            int depth = d.depth();
            int idx = index(entry.hash(), depth);
            long headAddr = table[idx];
            long last = 0;
            for (long cur = headAddr; cur != 0; ) {
                ByteBuffer lb = io.read(cur);
                Leaf lf = Leaf.decode(lb, cur);
                if (insertInPlace(lb, Leaf.SIZE, entry, cur)) {
                    lf.withEntries(lf.entries() + 1).encode(lb);
                    io.write(cur, lb);
                    d = d.withLayout(d.height(), d.depth(), d.entries() + 1, d.payloadFormat());
                    d.encode(blk);
                    io.write(dirAddr, blk);
                    return;
                }
                last = cur;
                cur = lf.next();
            }
            Leaf head = Leaf.decode(io.read(headAddr), headAddr);
            if (head.depth() < depth && head.next() == 0) {
                d = split(dirAddr, blk, d, table, idx, headAddr);
            } else if (depth < Geometry.MAX_DIR_DEPTH && head.next() == 0) {
                long[] doubled = new long[table.length * 2];
                for (int k = 0; k < table.length; k++) {
                    doubled[2 * k] = table[k];
                    doubled[2 * k + 1] = table[k];
                }
                d = writeTable(dirAddr, blk, d.withLayout(d.height(), depth + 1, d.entries(), 0), doubled);
            } else {
                long added = io.allocate(last);
                ByteBuffer nb = ByteBuffer.allocate(geo.bsize());
                Leaf.empty(head.depth(), dirAddr).encodeEmpty(nb);
                io.write(added, nb);
                ByteBuffer lastBuf = io.read(last);
                Leaf.decode(lastBuf, last).withNext(added).encode(lastBuf);
                io.write(last, lastBuf);
                d = d.withBlocks(d.blocks() + 1).withGoals(added, d.goalData());
                d.encode(blk);
                io.write(dirAddr, blk);
            }
        }
    }

    private Dinode split(long dirAddr, ByteBuffer blk, Dinode d, long[] table, int idx, long leafAddr) throws IOException {
        ByteBuffer lb = io.read(leafAddr);
        Leaf old = Leaf.decode(lb, leafAddr);
        int depth = d.depth();
        int len = 1 << (depth - old.depth());
        int start = idx & ~(len - 1);
        int half = start + len / 2;
        long newAddr = io.allocate(leafAddr);
        ByteBuffer nb = ByteBuffer.allocate(geo.bsize());
        Leaf.empty(old.depth() + 1, dirAddr).encodeEmpty(nb);
        int moved = 0;
        List<Dirent.Located> live = Dirent.live(Dirent.walk(lb, Leaf.SIZE, leafAddr));
        for (int i = live.size() - 1; i >= 0; i--) {
            // Delete from the end so earlier offsets stay valid; insert afterwards in the original order.
            if (index(live.get(i).dirent().hash(), depth) < half) {
                deleteInPlace(lb, Leaf.SIZE, live.get(i).offset(), leafAddr);
            }
        }
        for (Dirent.Located l : live) {
            if (index(l.dirent().hash(), depth) < half) {
                insertInPlace(nb, Leaf.SIZE, l.dirent(), newAddr);
                moved++;
            }
        }
        Leaf.empty(old.depth() + 1, dirAddr).withEntries(moved).encode(nb);
        io.write(newAddr, nb);
        old.withDepth(old.depth() + 1).withEntries(old.entries() - moved).encode(lb);
        io.write(leafAddr, lb);
        for (int i = start; i < half; i++) {
            table[i] = newAddr;
        }
        return writeTable(dirAddr, blk, d.withBlocks(d.blocks() + 1).withGoals(newAddr, d.goalData()), table);
    }

    /** The hash table of an exhash directory whose dinode block is {@code blk}. */
    public long[] readTable(ByteBuffer blk, Dinode d) throws IOException {
        int n = 1 << d.depth();
        long[] table = new long[n];
        if (d.height() == 0) {
            for (int i = 0; i < n; i++) {
                table[i] = blk.getLong(Dinode.PAYLOAD_OFFSET + 8 * i);
            }
            return table;
        }
        byte[] bytes = new byte[n * 8];
        int pos = 0;
        int jb = geo.jbsize();
        for (long jd : tableTree(blk, d).data) {
            int len = Math.min(jb, bytes.length - pos);
            if (len <= 0) {
                break;
            }
            if (jd != 0) {
                System.arraycopy(EdBlock.decode(io.read(jd), jd, MetaType.JD, len), 0, bytes, pos, len);
            }
            pos += len;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        for (int i = 0; i < n; i++) {
            table[i] = b.getLong(8 * i);
        }
        return table;
    }

    /** Data (JD) and indirect blocks of a directory's hash-table tree. */
    private record Tree(List<Long> data, List<Long> indirect) {
    }

    private Tree tableTree(ByteBuffer blk, Dinode d) throws IOException {
        List<Long> level = new ArrayList<>();
        List<Long> indirect = new ArrayList<>();
        for (int i = 0; i < geo.diptrs(); i++) {
            long p = Dinode.pointer(blk, i);
            if (p != 0) {
                level.add(p);
            }
        }
        for (int h = 1; h < d.height(); h++) {
            List<Long> next = new ArrayList<>();
            for (long p : level) {
                indirect.add(p);
                for (long q : IndirectBlock.decode(io.read(p), p).pointers()) {
                    if (q != 0) {
                        next.add(q);
                    }
                }
            }
            level = next;
        }
        return new Tree(level, indirect);
    }

    /**
     * Stores {@code table} (2^depth pointers, depth already set in {@code d}) stuffed or in JD
     * blocks, writes the dinode and returns it.
     */
    private Dinode writeTable(long dirAddr, ByteBuffer blk, Dinode d, long[] table) throws IOException {
        long size = 8L * table.length;
        Tree old = d.height() == 0 ? new Tree(List.of(), List.of()) : tableTree(blk, d);
        long blocks = d.blocks();
        if (size <= geo.maxStuffed()) {
            for (long b : old.data) {
                io.free(b);
            }
            for (long b : old.indirect) {
                io.free(b);
            }
            blocks -= old.data.size() + old.indirect.size();
            for (int i = Dinode.PAYLOAD_OFFSET; i < geo.bsize(); i++) {
                blk.put(i, (byte) 0);
            }
            for (int i = 0; i < table.length; i++) {
                blk.putLong(Dinode.PAYLOAD_OFFSET + 8 * i, table[i]);
            }
            d = d.withSize(size).withBlocks(blocks).withLayout(0, d.depth(), d.entries(), 0);
        } else {
            byte[] bytes = new byte[(int) size];
            ByteBuffer tb = ByteBuffer.wrap(bytes);
            for (long p : table) {
                tb.putLong(p);
            }
            int jb = geo.jbsize();
            int nJd = (int) ((size + jb - 1) / jb);
            int height = geo.heightForJdSize(size);
            List<Long> jds;
            if (height == d.height() && old.data.size() == nJd) {
                jds = old.data;
            } else {
                for (long b : old.data) {
                    io.free(b);
                }
                for (long b : old.indirect) {
                    io.free(b);
                }
                blocks -= old.data.size() + old.indirect.size();
                jds = new ArrayList<>();
                for (int i = 0; i < nJd; i++) {
                    jds.add(io.allocate(dirAddr));
                }
                long nIn = PointerTree.indirectCount(geo, height, nJd);
                long[] in = new long[(int) nIn];
                for (int i = 0; i < nIn; i++) {
                    in[i] = io.allocate(dirAddr);
                }
                blocks += nJd + nIn;
                final List<Long> data = jds;
                PointerTree.write(geo, blk, height, i -> data.get((int) i), nJd, i -> in[(int) i], io::write);
            }
            for (int i = 0; i < nJd; i++) {
                ByteBuffer jbuf = ByteBuffer.allocate(geo.bsize());
                int off = i * jb;
                EdBlock.encode(jbuf, MetaType.JD, bytes, off, (int) Math.min(jb, size - off));
                io.write(jds.get(i), jbuf);
            }
            d = d.withSize(size).withBlocks(blocks).withLayout(height, d.depth(), d.entries(), 0);
        }
        d.encode(blk);
        io.write(dirAddr, blk);
        return d;
    }
}
