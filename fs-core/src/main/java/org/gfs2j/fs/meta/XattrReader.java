package org.gfs2j.fs.meta;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.ondisk.EaBlock;
import org.gfs2j.fs.ondisk.EaHeader;
import org.gfs2j.fs.ondisk.Geometry;
import org.gfs2j.fs.ondisk.IndirectBlock;
import org.gfs2j.journal.format.CorruptMetadataException;
import org.gfs2j.journal.format.MetaType;

/**
 * Reads a dinode's extended attributes (spec 9): one EA block, or with EA_INDIRECT an IN block
 * listing EA blocks (packed, ending at the first 0); values stuffed in the record or spread over
 * ED blocks.
 */
public final class XattrReader {
    private final Pointers ptrs;
    private final Geometry geo;
    private final Inode inode;
    private final int fsFormat;

    public XattrReader(Pointers ptrs, Geometry geo, Inode inode, int fsFormat) {
        this.ptrs = ptrs;
        this.geo = geo;
        this.inode = inode;
        this.fsFormat = fsFormat;
    }

    /** The EA blocks in order (empty when di_eattr is 0). */
    public List<Long> eaBlocks() throws IOException {
        Dinode d = inode.dinode();
        List<Long> out = new ArrayList<>();
        if (d.eattr() == 0) {
            return out;
        }
        if (!d.hasFlag(Dinode.FLAG_EA_INDIRECT)) {
            ptrs.check(d.eattr(), inode.addr(), "dinode", "di_eattr");
            out.add(d.eattr());
            return out;
        }
        ByteBuffer in = ptrs.readMeta(d.eattr(), MetaType.IN, inode.addr(), "dinode", "di_eattr");
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < geo.inptrs(); i++) {
            long p = IndirectBlock.pointer(in, i);
            if (p == 0) {
                break;
            }
            ptrs.check(p, d.eattr(), "extended attribute indirect block", "ptr[" + i + "]");
            if (!seen.add(p)) {
                throw new CorruptMetadataException(d.eattr(), "extended attribute indirect block", "ptr[" + i + "]",
                        "EA block " + p + " is listed twice");
            }
            out.add(p);
        }
        return out;
    }

    /** Every attribute in on-disk order. */
    public List<Xattr> list() throws IOException {
        List<Xattr> out = new ArrayList<>();
        for (long ea : eaBlocks()) {
            ByteBuffer b = ptrs.source().read(ea);
            for (EaBlock.Entry e : EaBlock.walk(b, ea, fsFormat)) {
                if (e.header().isUnused()) {
                    continue;
                }
                out.add(new Xattr(e.header().type(), e.name(), value(ea, e)));
            }
        }
        return out;
    }

    /** The attribute with Linux name {@code linuxName} (e.g. {@code user.color}). */
    public Optional<Xattr> get(String linuxName) throws IOException {
        for (Xattr x : list()) {
            if (x.linuxName().equals(linuxName)) {
                return Optional.of(x);
            }
        }
        return Optional.empty();
    }

    /** Number of blocks the attributes occupy: EA indirect block, EA blocks, ED blocks. */
    public long blockCount() throws IOException {
        Dinode d = inode.dinode();
        if (d.eattr() == 0) {
            return 0;
        }
        long n = d.hasFlag(Dinode.FLAG_EA_INDIRECT) ? 1 : 0;
        for (long ea : eaBlocks()) {
            n++;
            for (EaBlock.Entry e : EaBlock.walk(ptrs.source().read(ea), ea, fsFormat)) {
                n += e.header().isUnused() ? 0 : e.pointers().length;
            }
        }
        return n;
    }

    private byte[] value(long ea, EaBlock.Entry e) throws IOException {
        if (e.header().isStuffed()) {
            return e.value();
        }
        int len = (int) e.header().dataLen();
        byte[] out = new byte[len];
        int jb = geo.jbsize();
        long[] p = e.pointers();
        for (int i = 0, pos = 0; pos < len; i++) {
            String field = "ea_ptr[" + i + "] of " + e.nameString();
            ByteBuffer ed = ptrs.readMeta(p[i], MetaType.ED, ea, "extended attribute block", field);
            int n = Math.min(jb, len - pos);
            ed.get(org.gfs2j.fs.ondisk.EdBlock.OFF_DATA, out, pos, n);
            pos += n;
        }
        return out;
    }

    static String prefix(int type) {
        return EaHeader.prefix(type);
    }
}
