package org.gfs2j.fuse.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.gfs2j.fuse.memfs.MemFileSystem;
import org.gfs2j.fuse.protocol.Fuse;
import org.gfs2j.fuse.protocol.InHeader;
import org.gfs2j.fuse.protocol.Opcode;
import org.gfs2j.fuse.protocol.RequestBuilder;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated requests against a dispatcher over a MemFileSystem. The dispatcher must never
 * throw, and every message it writes must be a well-formed reply: header length = bytes written,
 * error 0 or -1..-511 with a bare header, the unique of the request, never for FORGET/INTERRUPT.
 * The seed of each run is printed; rerun one with -Dfuzz.seed=N.
 */
class DispatcherFuzzTest {
    private static final int ROUNDS = 20_000;

    /** Valid-looking requests to mutate, covering every handled opcode. */
    private static List<RequestBuilder> corpus(Random rnd) {
        List<RequestBuilder> c = new ArrayList<>();
        long u = 100;
        long n = 1 + rnd.nextInt(4);
        c.add(RequestBuilder.of(Opcode.LOOKUP, u += 2, 1).cstr("f" + rnd.nextInt(5)));
        c.add(RequestBuilder.of(Opcode.MKDIR, u += 2, 1).u32(0755).u32(022).cstr("d" + rnd.nextInt(5)));
        c.add(RequestBuilder.of(Opcode.MKNOD, u += 2, 1).u32(Fuse.S_IFREG | 0644).u32(0).u32(0).u32(0)
                .cstr("f" + rnd.nextInt(5)));
        c.add(RequestBuilder.of(Opcode.CREATE, u += 2, 1).u32(Fuse.O_RDWR | Fuse.O_CREAT).u32(Fuse.S_IFREG | 0644)
                .u32(0).u32(0).cstr("f" + rnd.nextInt(5)));
        c.add(RequestBuilder.of(Opcode.SYMLINK, u += 2, 1).cstr("s" + rnd.nextInt(3)).cstr("target/x"));
        c.add(RequestBuilder.of(Opcode.GETATTR, u += 2, n).u32(0).u32(0).u64(0));
        c.add(RequestBuilder.of(Opcode.SETATTR, u += 2, n).u32(0x1 | 0x8).u32(0).u64(0).u64(rnd.nextInt(100000))
                .u64(0).u64(0).u64(0).u64(0).u32(0).u32(0).u32(0).u32(0100600).u32(0).u32(0).u32(0).u32(0));
        c.add(RequestBuilder.of(Opcode.WRITE, u += 2, n).u64(1).u64(rnd.nextInt(1 << 20)).u32(16).u32(0).u64(0)
                .u32(0).u32(0).zeros(16));
        c.add(RequestBuilder.of(Opcode.READ, u += 2, n).u64(1).u64(0).u32(4096).u32(0).u64(0).u32(0).u32(0));
        c.add(RequestBuilder.of(Opcode.READDIR, u += 2, 1).u64(0).u64(rnd.nextInt(8)).u32(4096).u32(0).u64(0)
                .u32(0).u32(0));
        c.add(RequestBuilder.of(Opcode.READDIRPLUS, u += 2, 1).u64(0).u64(0).u32(4096).u32(0).u64(0).u32(0).u32(0));
        c.add(RequestBuilder.of(Opcode.RENAME2, u += 2, 1).u64(1).u32(rnd.nextInt(4)).u32(0).cstr("f1").cstr("f2"));
        c.add(RequestBuilder.of(Opcode.RENAME, u += 2, 1).u64(1).cstr("d1").cstr("d2"));
        c.add(RequestBuilder.of(Opcode.LINK, u += 2, 1).u64(n).cstr("h" + rnd.nextInt(3)));
        c.add(RequestBuilder.of(Opcode.UNLINK, u += 2, 1).cstr("f" + rnd.nextInt(5)));
        c.add(RequestBuilder.of(Opcode.RMDIR, u += 2, 1).cstr("d" + rnd.nextInt(5)));
        c.add(RequestBuilder.of(Opcode.SETXATTR, u += 2, n).u32(3).u32(0).u32(0).u32(0).cstr("user.x").zeros(3));
        c.add(RequestBuilder.of(Opcode.SETXATTR, u += 2, n).u32(28).u32(0).u32(0).u32(0)
                .cstr("system.posix_acl_access").u32(2).u32(0x00060001).u32(-1).u32(0x00040004).u32(-1)
                .u32(0x00040020).u32(-1));
        c.add(RequestBuilder.of(Opcode.GETXATTR, u += 2, n).u32(rnd.nextInt(2) * 64).u32(0).cstr("user.x"));
        c.add(RequestBuilder.of(Opcode.LISTXATTR, u += 2, n).u32(0).u32(0));
        c.add(RequestBuilder.of(Opcode.REMOVEXATTR, u += 2, n).cstr("user.x"));
        c.add(RequestBuilder.of(Opcode.OPEN, u += 2, n).u32(Fuse.O_RDWR | Fuse.O_TRUNC).u32(0));
        c.add(RequestBuilder.of(Opcode.OPENDIR, u += 2, 1).u32(0).u32(0));
        c.add(RequestBuilder.of(Opcode.RELEASE, u += 2, n).u64(rnd.nextInt(5)).u32(0).u32(2).u64(7));
        c.add(RequestBuilder.of(Opcode.FLUSH, u += 2, n).u64(1).u32(0).u32(0).u64(7));
        c.add(RequestBuilder.of(Opcode.FSYNC, u += 2, n).u64(1).u32(1).u32(0));
        c.add(RequestBuilder.of(Opcode.STATFS, u += 2, 1));
        c.add(RequestBuilder.of(Opcode.GETLK, u += 2, n).u64(1).u64(7).u64(0).u64(10).u32(1).u32(0).u32(0).u32(0));
        c.add(RequestBuilder.of(Opcode.SETLK, u += 2, n).u64(1).u64(rnd.nextInt(3)).u64(0).u64(10).u32(rnd.nextInt(3))
                .u32(5).u32(rnd.nextInt(2)).u32(0));
        c.add(RequestBuilder.of(Opcode.SETLKW, u += 2, n).u64(1).u64(rnd.nextInt(3)).u64(0).u64(10).u32(rnd.nextInt(3))
                .u32(5).u32(rnd.nextInt(2)).u32(0));
        c.add(RequestBuilder.of(Opcode.FALLOCATE, u += 2, n).u64(1).u64(rnd.nextInt(1 << 20)).u64(4096)
                .u32(rnd.nextInt(4)).u32(0));
        c.add(RequestBuilder.of(Opcode.LSEEK, u += 2, n).u64(1).u64(0).u32(3 + rnd.nextInt(2)).u32(0));
        c.add(RequestBuilder.of(Opcode.COPY_FILE_RANGE_64, u += 2, n).u64(1).u64(0).u64(n).u64(1).u64(100).u64(50)
                .u64(0));
        c.add(RequestBuilder.of(Opcode.FORGET, u += 2, n).u64(1));
        c.add(RequestBuilder.of(Opcode.BATCH_FORGET, u += 2, 0).u32(2).u32(0).u64(n).u64(1).u64(n + 1).u64(1));
        c.add(RequestBuilder.of(Opcode.INTERRUPT, u | 1, 0).u64(u));
        c.add(RequestBuilder.of(Opcode.ACCESS, u += 2, n).u32(4).u32(0));
        c.add(RequestBuilder.of(Opcode.READLINK, u += 2, n));
        c.add(RequestBuilder.of(Opcode.INIT, u += 2, 0).u32(7).u32(45).u32(0).u32(-1).u32(-1).zeros(44));
        return c;
    }

    private static byte[] mutate(byte[] in, Random rnd) {
        byte[] b = in.clone();
        switch (rnd.nextInt(6)) {
            case 0 -> { // flip bytes anywhere (also the header)
                for (int i = rnd.nextInt(4) + 1; i > 0; i--) {
                    b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            case 1 -> { // truncate, keeping the header len honest or not
                int len = rnd.nextInt(b.length + 1);
                b = java.util.Arrays.copyOf(b, len);
                if (len >= 40 && rnd.nextBoolean()) {
                    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(0, len);
                }
            }
            case 2 -> { // extend with garbage and fix len
                byte[] more = new byte[rnd.nextInt(64)];
                rnd.nextBytes(more);
                byte[] c = java.util.Arrays.copyOf(b, b.length + more.length);
                System.arraycopy(more, 0, c, b.length, more.length);
                ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putInt(0, c.length);
                b = c;
            }
            case 3 -> { // random 32-bit field in the body
                if (b.length >= 44) {
                    int at = 40 + rnd.nextInt((b.length - 40) / 4) * 4;
                    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, rnd.nextInt());
                }
            }
            case 4 -> { // other opcode with this body
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(4, rnd.nextInt(60));
            }
            default -> { // remove NULs
                for (int i = 40; i < b.length; i++) {
                    if (b[i] == 0 && rnd.nextBoolean()) {
                        b[i] = 'z';
                    }
                }
            }
        }
        return b;
    }

    private static byte[] random(Random rnd) {
        byte[] b = new byte[rnd.nextInt(200)];
        rnd.nextBytes(b);
        if (b.length >= 40 && rnd.nextInt(3) > 0) {
            ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            bb.putInt(0, b.length);
            bb.putInt(4, rnd.nextInt(56));
            bb.putShort(36, (short) (rnd.nextInt(8) == 0 ? rnd.nextInt(4) : 0));
        }
        return b;
    }

    @Test
    void dispatcherSurvivesGarbage() throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        System.out.println("DispatcherFuzzTest seed " + seed + " (rerun: -Dfuzz.seed=" + seed + ")");
        Random rnd = new Random(seed);
        Dispatcher d = new Dispatcher(new MemFileSystem(), MountOptions.defaults());
        FakeChannel ch = new FakeChannel();
        ByteBuffer in = ByteBuffer.allocateDirect(70_000);
        ByteBuffer out = ByteBuffer.allocateDirect((1 << 20) + 4096);
        RequestBuilder init = DispatcherTest.initRequest(2);
        d.dispatch(ch, init.build(70_000), init.length(), out);
        assertEquals(0, ch.last().error());
        List<RequestBuilder> corpus = corpus(rnd);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                byte[] req = rnd.nextInt(4) == 0 ? random(rnd)
                        : mutate(corpus.get(rnd.nextInt(corpus.size())).toBytes(), rnd);
                if (rnd.nextInt(50) == 0) {
                    corpus = corpus(rnd);
                }
                in.clear();
                in.put(req);
                in.clear();
                int before = ch.count();
                try {
                    d.dispatch(ch, in, req.length, out);
                } catch (Throwable t) {
                    fail("seed " + seed + " round " + round + ": dispatcher threw", t);
                }
                checkReplies(ch, before, req, seed, round);
            }
        } finally {
            d.shutdown();
        }
    }

    private static void checkReplies(FakeChannel ch, int before, byte[] req, long seed, int round) {
        String where = "seed " + seed + " round " + round;
        // Blocked SETLKW requests are answered later from a pool thread (one unlock may release
        // several), so only replies written on this thread belong to this request; every reply,
        // whoever wrote it, must be well framed.
        List<FakeChannel.Msg> all = ch.since(before);
        long self = Thread.currentThread().getId();
        List<FakeChannel.Msg> own = all.stream().filter(m -> m.writerThread() == self).toList();
        assertTrue(own.size() <= 1, where + ": " + own.size() + " replies to one request");
        for (FakeChannel.Msg m : all) {
            assertTrue(m.len() >= 16, where);
            assertEquals(16 + m.body().remaining(), m.len(), where + ": len field = bytes written");
            assertTrue(m.error() <= 0 && m.error() >= -511, where + ": error " + m.error());
            if (m.error() != 0) {
                assertEquals(16, m.len(), where + ": error replies are bare headers");
            }
        }
        if (req.length >= 40 && own.size() == 1) {
            InHeader h = InHeader.decode(ByteBuffer.wrap(req));
            Opcode op = Opcode.of(h.opcode());
            if (op != null && own.get(0).unique() == h.unique()) {
                assertTrue(op.replies(), where + ": reply to " + op);
            }
        }
    }
}
