package org.gfs2j.fs.meta;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.ondisk.Dirent;
import org.gfs2j.fs.ondisk.Geometry;
import org.gfs2j.fs.ondisk.Inum;
import org.gfs2j.fs.ondisk.Leaf;
import org.gfs2j.journal.format.Checksums;
import org.gfs2j.journal.format.CorruptMetadataException;
import org.gfs2j.journal.format.MetaType;

/**
 * Reads one directory, linear (dirents in the dinode block) or exhash (hash table in the dinode
 * or JD blocks, leaves, leaf chains) (spec 7).
 *
 * <p>Lookup goes the kernel's way: name hash → table index (top {@code di_depth} bits) → leaf →
 * chain. Listing returns entries in readdir order: hash order (then name length, then bytes)
 * within each leaf chain, chains in table order; a linear directory is one chain. Every pointer
 * is range-checked, leaf depths must fit the table, and a leaf reached twice (a chain loop or a
 * table run that disagrees with {@code lf_depth}) is reported as corruption.
 */
public final class DirectoryReader {
    /** Largest hash table the kernel allows: 2^17 pointers. */
    public static final int MAX_TABLE_BYTES = 8 << Geometry.MAX_DIR_DEPTH;

    /** One live directory entry; {@code block} is the dinode or leaf block holding it. */
    public record Entry(byte[] nameBytes, Inum inum, int type, int hash, long block) {
        public String name() {
            return new String(nameBytes, StandardCharsets.UTF_8);
        }

        public boolean isDot() {
            return Arrays.equals(nameBytes, DOT) || Arrays.equals(nameBytes, DOTDOT);
        }
    }

    private static final byte[] DOT = {'.'};
    private static final byte[] DOTDOT = {'.', '.'};
    static final Comparator<Entry> READDIR_ORDER = (a, b) -> {
        int c = Integer.compareUnsigned(a.hash, b.hash);
        if (c != 0) {
            return c;
        }
        c = Integer.compare(a.nameBytes.length, b.nameBytes.length);
        return c != 0 ? c : Arrays.compareUnsigned(a.nameBytes, b.nameBytes);
    };

    private final Pointers ptrs;
    private final Geometry geo;
    private final Inode dir;

    public DirectoryReader(Pointers ptrs, Geometry geo, Inode dir) throws CorruptMetadataException {
        if (!dir.dinode().isDirectory()) {
            throw new IllegalArgumentException("inode " + dir.addr() + " is not a directory");
        }
        this.ptrs = ptrs;
        this.geo = geo;
        this.dir = dir;
    }

    public Inode inode() {
        return dir;
    }

    public boolean isExhash() {
        return dir.dinode().isExhashDir();
    }

    public Optional<Entry> lookup(String name) throws IOException {
        return lookup(name.getBytes(StandardCharsets.UTF_8));
    }

    /** Finds {@code name} the kernel's way (through the hash for exhash directories). */
    public Optional<Entry> lookup(byte[] name) throws IOException {
        int hash = Checksums.gfs2Hash(name);
        List<Entry> candidates;
        if (!isExhash()) {
            candidates = linearEntries();
        } else {
            int depth = dir.dinode().depth();
            int index = depth == 0 ? 0 : hash >>> (32 - depth);
            candidates = chainEntries(tableEntry(index), index, new HashSet<>(), new int[1]);
        }
        for (Entry e : candidates) {
            if (e.hash == hash && Arrays.equals(e.nameBytes, name)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /** Every live entry (including . and ..) in readdir order. */
    public List<Entry> list() throws IOException {
        if (!isExhash()) {
            List<Entry> all = linearEntries();
            all.sort(READDIR_ORDER);
            return all;
        }
        long[] table = hashTable();
        int depth = dir.dinode().depth();
        Set<Long> seen = new HashSet<>();
        List<Entry> out = new ArrayList<>();
        int index = 0;
        while (index < table.length) {
            int[] leafDepth = new int[1];
            List<Entry> chain = chainEntries(table[index], index, seen, leafDepth);
            chain.sort(READDIR_ORDER);
            out.addAll(chain);
            index += checkRun(table, index, depth, leafDepth[0]);
        }
        return out;
    }

    /** The leaf blocks in table order, each followed by its chain (exhash only; empty for linear). */
    public List<Long> leafBlocks() throws IOException {
        List<Long> out = new ArrayList<>();
        if (!isExhash()) {
            return out;
        }
        long[] table = hashTable();
        Set<Long> seen = new HashSet<>();
        int depth = dir.dinode().depth();
        int index = 0;
        while (index < table.length) {
            long leaf = table[index];
            int leafDepth = -1;
            long from = dir.addr();
            String structure = "directory hash table";
            String field = "table[" + index + "]";
            while (leaf != 0) {
                if (!seen.add(leaf)) {
                    throw new CorruptMetadataException(from, structure, field, "leaf " + leaf + " is reached twice");
                }
                Leaf lf = Leaf.decode(ptrs.readMeta(leaf, MetaType.LF, from, structure, field), leaf);
                if (leafDepth < 0) {
                    leafDepth = checkDepth(lf, leaf, depth);
                }
                out.add(leaf);
                from = leaf;
                structure = "directory leaf";
                field = "lf_next";
                leaf = lf.next();
            }
            index += checkRun(table, index, depth, leafDepth);
        }
        return out;
    }

    /**
     * A leaf of depth d is referenced by exactly 2^(D-d) consecutive table slots starting at a
     * multiple of that number (spec 7.5); returns the run length. A run that disagrees would make
     * readdir skip or repeat leaves silently, so it is reported instead.
     */
    private int checkRun(long[] table, int index, int dirDepth, int leafDepth) throws CorruptMetadataException {
        int len = 1 << (dirDepth - leafDepth);
        if (index % len != 0 || index + len > table.length) {
            throw new CorruptMetadataException(table[index], "directory leaf", "lf_depth", leafDepth
                    + " does not fit hash-table slot " + index + " of directory " + dir.addr());
        }
        for (int i = index + 1; i < index + len; i++) {
            if (table[i] != table[index]) {
                throw new CorruptMetadataException(dir.addr(), "directory hash table", "table[" + i + "]",
                        "points to " + table[i] + " inside the run of leaf " + table[index] + " (lf_depth " + leafDepth + ")");
            }
        }
        return len;
    }

    /** The hash table's leaf pointers (exhash only). */
    public long[] hashTable() throws IOException {
        hashTableSizeCheck();
        byte[] raw = FileReader.of(ptrs, geo, dir).readAll(MAX_TABLE_BYTES);
        ByteBuffer b = ByteBuffer.wrap(raw);
        long[] table = new long[raw.length / 8];
        for (int i = 0; i < table.length; i++) {
            table[i] = b.getLong(8 * i);
            ptrs.check(table[i], dir.addr(), "directory hash table", "table[" + i + "]");
        }
        return table;
    }

    /**
     * One hash-table pointer, reading only the block that holds it (a lookup in a depth-17 table
     * must not read the whole 1 MiB table). jbsize is a multiple of 8, so no pointer straddles
     * two JD blocks.
     */
    public long tableEntry(int index) throws IOException {
        Dinode d = dir.dinode();
        hashTableSizeCheck();
        if (index < 0 || index >= (1 << d.depth())) {
            throw new IndexOutOfBoundsException("hash table index " + index + " of " + (1 << d.depth()));
        }
        String field = "table[" + index + "]";
        long ptr;
        if (d.isStuffed()) {
            ptr = dir.block().getLong(Dinode.PAYLOAD_OFFSET + 8 * index);
        } else {
            long byteOff = 8L * index;
            int unit = geo.jbsize();
            long jd = FileMap.of(ptrs, geo, dir).map(byteOff / unit);
            if (jd == 0) {
                throw new CorruptMetadataException(dir.addr(), "directory hash table", field, "lies in a hole of the table");
            }
            ByteBuffer b = ptrs.readMeta(jd, MetaType.JD, dir.addr(), "directory hash table", field);
            ptr = b.getLong(org.gfs2j.fs.ondisk.EdBlock.OFF_DATA + (int) (byteOff % unit));
        }
        ptrs.check(ptr, dir.addr(), "directory hash table", field);
        return ptr;
    }

    private void hashTableSizeCheck() throws CorruptMetadataException {
        Dinode d = dir.dinode();
        if (d.size() > MAX_TABLE_BYTES || d.size() != 8L << d.depth()) {
            throw new CorruptMetadataException(dir.addr(), "dinode", "di_size", d.size() + " is not the size of a hash table of depth " + d.depth());
        }
    }

    private static int checkDepth(Leaf lf, long leaf, int dirDepth) throws CorruptMetadataException {
        if (lf.depth() > dirDepth) {
            throw new CorruptMetadataException(leaf, "directory leaf", "lf_depth", lf.depth() + " exceeds the directory's depth " + dirDepth);
        }
        return lf.depth();
    }

    private List<Entry> linearEntries() throws IOException {
        return live(Dirent.walk(dir.block(), Dinode.PAYLOAD_OFFSET, dir.addr()), dir.addr());
    }

    /** Live entries of the leaf at {@code leaf} and the leaves chained after it. */
    private List<Entry> chainEntries(long leaf, int index, Set<Long> seen, int[] firstDepth) throws IOException {
        List<Entry> out = new ArrayList<>();
        long from = dir.addr();
        String structure = "directory hash table";
        String field = "table[" + index + "]";
        int dirDepth = dir.dinode().depth();
        while (leaf != 0) {
            if (!seen.add(leaf)) {
                throw new CorruptMetadataException(from, structure, field, "leaf " + leaf + " is reached twice");
            }
            ByteBuffer b = ptrs.readMeta(leaf, MetaType.LF, from, structure, field);
            Leaf lf = Leaf.decode(b, leaf);
            int d = checkDepth(lf, leaf, dirDepth);
            if (out.isEmpty() && from == dir.addr()) {
                firstDepth[0] = d;
            }
            out.addAll(live(lf.dirents(b, leaf), leaf));
            from = leaf;
            structure = "directory leaf";
            field = "lf_next";
            leaf = lf.next();
        }
        return out;
    }

    private static List<Entry> live(List<Dirent.Located> all, long block) throws CorruptMetadataException {
        List<Entry> out = new ArrayList<>(all.size());
        for (Dirent.Located l : all) {
            Dirent d = l.dirent();
            if (d.isSentinel()) {
                continue;
            }
            if (Checksums.gfs2Hash(d.name()) != d.hash()) {
                throw new CorruptMetadataException(block, "directory entry at offset " + l.offset(), "de_hash",
                        String.format("0x%08x does not match the name's hash 0x%08x", d.hash(), Checksums.gfs2Hash(d.name())));
            }
            out.add(new Entry(d.name(), d.inum(), d.type(), d.hash(), block));
        }
        return out;
    }
}
