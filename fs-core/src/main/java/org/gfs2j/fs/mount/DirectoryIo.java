package org.gfs2j.fs.mount;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.gfs2j.fs.alloc.Allocator;
import org.gfs2j.fs.cache.BufferCache;
import org.gfs2j.fs.cache.FsTransaction;
import org.gfs2j.fs.dir.DirBlockIo;
import org.gfs2j.fs.dir.DirectoryWriter;
import org.gfs2j.fs.glock.GlockName;
import org.gfs2j.fs.ondisk.Geometry;

/** The two ways a mounted file system gives {@link DirectoryWriter} its blocks. */
public final class DirectoryIo {
    private DirectoryIo() {
    }

    /** Every block the writer touches is logged in {@code tx} under the directory's inode glock. */
    public static DirectoryWriter inTransaction(Geometry geo, Allocator alloc, FsTransaction tx, long dirAddr) {
        GlockName g = GlockName.inode(dirAddr);
        int bsize = geo.bsize();
        return new DirectoryWriter(geo, new DirBlockIo() {
            @Override
            public ByteBuffer read(long block) throws IOException {
                return tx.modify(block, g);
            }

            @Override
            public void write(long block, ByteBuffer data) throws IOException {
                ByteBuffer mine = tx.modify(block, g);
                if (mine != data) {
                    mine.put(0, data.duplicate().position(0), 0, bsize);
                }
            }

            @Override
            public long allocate(long goal) throws IOException {
                long b = alloc.allocate(tx, goal, 1).get(0).start();
                tx.create(b, g);
                return b;
            }

            @Override
            public void free(long block) throws IOException {
                alloc.free(tx, block, 1, true);
            }
        });
    }

    /** For lookups outside a transaction: reads copies of the cached blocks, never writes. */
    public static DirectoryWriter readOnly(Geometry geo, BufferCache cache, long dirAddr) {
        GlockName g = GlockName.inode(dirAddr);
        int bsize = geo.bsize();
        return new DirectoryWriter(geo, new DirBlockIo() {
            @Override
            public ByteBuffer read(long block) throws IOException {
                ByteBuffer copy = ByteBuffer.allocate(bsize);
                copy.put(0, cache.read(block, g), 0, bsize);
                return copy;
            }

            @Override
            public void write(long block, ByteBuffer data) {
                throw new UnsupportedOperationException("lookup only");
            }

            @Override
            public long allocate(long goal) {
                throw new UnsupportedOperationException("lookup only");
            }

            @Override
            public void free(long block) {
                throw new UnsupportedOperationException("lookup only");
            }
        });
    }
}
