package org.gfs2j.fs.alloc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.gfs2j.fs.cache.FsTransaction;
import org.gfs2j.fs.dir.DirectoryWriter;
import org.gfs2j.fs.mount.DirectoryIo;
import org.gfs2j.fs.glock.GlockName;
import org.gfs2j.fs.glock.GlockState;
import org.gfs2j.fs.glock.Holder;
import org.gfs2j.fs.glock.HolderFlags;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.ondisk.Dirent;
import org.gfs2j.fs.ondisk.Inum;

/**
 * Just enough of an inode layer for allocation tests: regular files of height 1 (or stuffed,
 * empty) and empty directories in the root directory, built in the same transaction that
 * allocates their blocks, so that every allocated block is referenced (fsck-clean).
 */
public final class FileOps {
    private final TestMount m;

    public FileOps(TestMount m) {
        this.m = m;
    }

    /** Log blocks a create transaction reserves: dinode, root dir blocks, rgrp headers, statfs. */
    public int txBlocks() {
        return 16 + m.alloc.logBlocksFor(m.rgrps.size());
    }

    /** Takes the root's inode glock (EX) for the transaction (inode glocks come before rgrp glocks). */
    public void lockRoot(FsTransaction tx) throws IOException {
        tx.hold(m.glocks.acquire(GlockName.inode(m.rootAddr), GlockState.EX));
    }

    /** A new inode's glock: nobody can know the inode yet, so taking it after rgrps is safe. */
    public void lockNew(FsTransaction tx, long addr) throws IOException {
        Holder h = m.glocks.acquire(GlockName.inode(addr), GlockState.EX, HolderFlags.ORDER_EXEMPT);
        tx.hold(h);
    }

    public DirectoryWriter rootWriter(FsTransaction tx) {
        return DirectoryIo.inTransaction(m.geo, m.alloc, tx, m.rootAddr);
    }

    /**
     * Creates regular file {@code name} in root whose data blocks are {@code blocks} (in order,
     * at most diptrs; they must have been allocated in {@code tx}).
     */
    public Inum writeFile(FsTransaction tx, Inum ino, String name, List<Long> blocks) throws IOException {
        writeDinode(tx, ino, blocks);
        rootWriter(tx).add(m.rootAddr, name, ino, Dirent.DT_REG);
        return ino;
    }

    /** (Re)writes a regular file's dinode pointing at {@code blocks}. */
    public void writeDinode(FsTransaction tx, Inum ino, List<Long> blocks) throws IOException {
        if (blocks.size() > m.geo.diptrs()) {
            throw new IllegalArgumentException("test files hold at most " + m.geo.diptrs() + " blocks");
        }
        ByteBuffer b = tx.create(ino.addr(), GlockName.inode(ino.addr()));
        int bsize = m.geo.bsize();
        Dinode d = Dinode.create(ino, Dinode.S_IFREG | 0644).withSize((long) blocks.size() * bsize)
                .withBlocks(1 + blocks.size()).withLayout(blocks.isEmpty() ? 0 : 1, 0, 0, 0)
                .withTimes(1_700_000_000L, 0);
        d.encode(b);
        for (int i = 0; i < blocks.size(); i++) {
            Dinode.setPointer(b, i, blocks.get(i));
        }
    }

    /**
     * Allocates a dinode near {@code goal} and {@code nblocks} data blocks near it, and links it as
     * {@code name}, in docs/lock-order.md's order: root inode glock, rgrp glocks (enough space for
     * the file and a few directory blocks), then the transaction.
     */
    public Created create(String name, long goal, int nblocks) throws IOException {
        try (Holder root = m.glocks.acquire(GlockName.inode(m.rootAddr), GlockState.EX);
             RgrpLocks rgrps = m.alloc.reserveRgrps(goal, nblocks + 4L);
             FsTransaction tx = FsTransaction.begin(m.cache, txBlocks(), 0)) {
            m.alloc.use(tx, rgrps);
            Inum ino = m.alloc.allocateDinode(tx, goal);
            lockNew(tx, ino.addr());
            List<Long> blocks = new ArrayList<>();
            if (nblocks > 0) {
                for (BlockRun r : m.alloc.allocate(tx, ino.addr(), nblocks)) {
                    for (long k = r.start(); k < r.end(); k++) {
                        blocks.add(k);
                    }
                }
            }
            writeFile(tx, ino, name, blocks);
            long ticket = tx.commit();
            return new Created(ino, blocks, ticket);
        }
    }

    public record Created(Inum inum, List<Long> blocks, long ticket) {
    }

    /** Creates an empty directory {@code name} in root, its dinode spread over the rgrps. */
    public Inum mkdirSpread(String name) throws IOException {
        try (FsTransaction tx = FsTransaction.begin(m.cache, txBlocks(), 0)) {
            lockRoot(tx);
            Inum ino = m.alloc.allocateDinodeSpread(tx);
            lockNew(tx, ino.addr());
            ByteBuffer b = tx.create(ino.addr(), GlockName.inode(ino.addr()));
            Inum root = Dinode.decode(tx.read(m.rootAddr, GlockName.inode(m.rootAddr)), m.rootAddr).num();
            DirectoryWriter.initEmpty(b, Dinode.create(ino, Dinode.S_IFDIR | 0755).withTimes(1_700_000_000L, 0), root);
            rootWriter(tx).add(m.rootAddr, name, ino, Dirent.DT_DIR);
            ByteBuffer rb = tx.modify(m.rootAddr, GlockName.inode(m.rootAddr));
            Dinode rd = Dinode.decode(rb, m.rootAddr);
            rd.withNlink(rd.nlink() + 1).encode(rb);
            tx.commit();
            return ino;
        }
    }

    /** Reads the data block pointers of a height-1 (or stuffed) regular file. */
    public List<Long> blocksOf(long addr) throws IOException {
        ByteBuffer b = m.cache.read(addr, GlockName.inode(addr));
        Dinode d = Dinode.decode(b, addr);
        List<Long> out = new ArrayList<>();
        if (d.height() == 1) {
            for (int i = 0; i < m.geo.diptrs(); i++) {
                long p = Dinode.pointer(b, i);
                if (p != 0) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    /**
     * Unlinks {@code name} from root and deallocates it (blocks, then dinode) in one transaction:
     * root glock, the victim's glock, its rgrps' glocks (ascending), then the transaction.
     */
    public void delete(String name) throws IOException {
        try (Holder root = m.glocks.acquire(GlockName.inode(m.rootAddr), GlockState.EX)) {
            org.gfs2j.fs.ondisk.Dirent e = rootWriterReadOnly().lookup(m.rootAddr, name);
            if (e == null) {
                throw new IOException(name + ": not found");
            }
            long addr = e.inum().addr();
            try (Holder victim = m.glocks.acquire(GlockName.inode(addr), GlockState.EX)) {
                List<Long> blocks = blocksOf(addr);
                List<Long> all = new ArrayList<>(blocks);
                all.add(addr);
                try (RgrpLocks rgrps = m.alloc.lockRgrpsForFree(all);
                     FsTransaction tx = FsTransaction.begin(m.cache, txBlocks(), m.geo.diptrs() + 4)) {
                    m.alloc.use(tx, rgrps);
                    if (rootWriter(tx).remove(m.rootAddr, name) == null) {
                        throw new IOException(name + ": vanished");
                    }
                    for (long b : sortedRuns(blocks)) {
                        m.alloc.free(tx, b, 1, false);
                    }
                    m.alloc.freeDinode(tx, addr);
                    tx.commit();
                }
            }
        }
    }

    /** A directory writer that only reads (lookups outside a transaction). */
    private DirectoryWriter rootWriterReadOnly() {
        return DirectoryIo.readOnly(m.geo, m.cache, m.rootAddr);
    }

    private static List<Long> sortedRuns(List<Long> blocks) {
        List<Long> s = new ArrayList<>(blocks);
        s.sort(Long::compare);
        return s;
    }
}
