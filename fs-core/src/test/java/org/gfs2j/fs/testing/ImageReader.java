package org.gfs2j.fs.testing;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.gfs2j.fs.meta.DirectoryReader;
import org.gfs2j.fs.meta.FileMap;
import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.meta.Inode;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.ondisk.Dirent;
import org.gfs2j.fs.ondisk.Geometry;
import org.gfs2j.fs.ondisk.Inum;
import org.gfs2j.fs.ondisk.Leaf;
import org.gfs2j.fs.ondisk.RindexEntry;
import org.gfs2j.fs.ondisk.Superblock;

/**
 * The tests' short-hand over the real read path ({@link FileSystemReader}): raw blocks, decoded
 * dinodes, whole dirent records (with rec_len, which the read path's entries leave out) and
 * contents by block address, for checking codecs and mkfs output against real images.
 */
public final class ImageReader implements Closeable {
    private final FileSystemReader fs;
    public final Superblock sb;
    public final Geometry geo;
    public final int bsize;

    public ImageReader(Path img) throws IOException {
        fs = FileSystemReader.open(img);
        sb = fs.superblock();
        geo = fs.geometry();
        bsize = sb.bsize();
    }

    public ByteBuffer block(long n) throws IOException {
        return fs.source().read(n);
    }

    public ByteBuffer blocks(long n, int count) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(count * bsize);
        for (int i = 0; i < count; i++) {
            b.put(block(n + i).duplicate().position(0).limit(bsize));
        }
        return b.flip();
    }

    public Dinode dinode(long addr) throws IOException {
        return fs.inode(addr).dinode();
    }

    /** Device blocks of the content in logical order up to di_size (0 for holes); empty when stuffed. */
    public List<Long> dataBlocks(long addr) throws IOException {
        FileMap map = fs.fileMap(fs.inode(addr));
        List<Long> out = new ArrayList<>(Collections.nCopies((int) map.logicalBlocks(), 0L));
        map.forEachExtent(e -> {
            for (long i = 0; i < e.length(); i++) {
                out.set((int) (e.logical() + i), e.device() + i);
            }
        });
        return out;
    }

    /** The content (di_size bytes); for a directory hash table the JD headers are skipped. */
    public byte[] content(long addr) throws IOException {
        Inode inode = fs.inode(addr);
        return fs.file(inode).readAll(Math.toIntExact(inode.dinode().size()));
    }

    /** The leaf blocks of an exhash directory: distinct table targets in table order, then chains. */
    public List<Long> leaves(long dirAddr) throws IOException {
        return fs.directory(fs.inode(dirAddr)).leafBlocks();
    }

    /** Every live dirent record of a directory (linear or exhash), in on-disk order. */
    public List<Dirent> dirents(long dirAddr) throws IOException {
        Inode dir = fs.inode(dirAddr);
        List<Dirent> out = new ArrayList<>();
        if (!dir.dinode().isExhashDir()) {
            for (Dirent.Located l : Dirent.live(Dirent.walk(dir.block(), Dinode.PAYLOAD_OFFSET, dirAddr))) {
                out.add(l.dirent());
            }
            return out;
        }
        for (long leaf : leaves(dirAddr)) {
            ByteBuffer lb = block(leaf);
            for (Dirent.Located l : Dirent.live(Leaf.decode(lb, leaf).dirents(lb, leaf))) {
                out.add(l.dirent());
            }
        }
        return out;
    }

    public Inum lookup(long dirAddr, String name) throws IOException {
        DirectoryReader dir = fs.directory(fs.inode(dirAddr));
        return dir.lookup(name).map(DirectoryReader.Entry::inum).orElse(null);
    }

    /** Resolves a slash-separated path from root; null when a component is missing. */
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
        return fs.rindex();
    }

    @Override
    public void close() throws IOException {
        fs.close();
    }
}
