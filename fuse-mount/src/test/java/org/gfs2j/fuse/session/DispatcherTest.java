package org.gfs2j.fuse.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.gfs2j.fuse.fs.Attr;
import org.gfs2j.fuse.fs.Context;
import org.gfs2j.fuse.fs.Entry;
import org.gfs2j.fuse.fs.ErrnoException;
import org.gfs2j.fuse.fs.FileSystem;
import org.gfs2j.fuse.memfs.MemFileSystem;
import org.gfs2j.fuse.protocol.Errno;
import org.gfs2j.fuse.protocol.Fuse;
import org.gfs2j.fuse.protocol.Opcode;
import org.gfs2j.fuse.protocol.RequestBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The raw layer against hand-built requests: framing of replies, INIT, counting, interrupts. */
class DispatcherTest {
    /** Offer of a 6.18 kernel (observed): flags 0x73fffffb, flags2 0x5fd. */
    static final int OFFERED = 0x73fffffb;
    static final int OFFERED2 = 0x5fd;

    private MemFileSystem fs;
    private Dispatcher d;
    private FakeChannel ch;
    private final ByteBuffer out = ByteBuffer.allocateDirect((1 << 20) + 4096);
    private long unique = 2;

    @BeforeEach
    void setUp() {
        fs = new MemFileSystem();
        d = new Dispatcher(fs, MountOptions.defaults());
        ch = new FakeChannel();
    }

    private FakeChannel.Msg send(RequestBuilder rb) {
        int before = ch.count();
        d.dispatch(ch, rb.build(), rb.length(), out);
        return ch.count() > before ? ch.last() : null;
    }

    private RequestBuilder req(Opcode op, long nodeid) {
        unique += 2;
        return RequestBuilder.of(op, unique, nodeid).caller(0, 0, 100);
    }

    static RequestBuilder initRequest(long unique) {
        return RequestBuilder.of(Opcode.INIT, unique, 0).caller(0, 0, 0)
                .u32(7).u32(45).u32(131072).u32(OFFERED).u32(OFFERED2).zeros(44);
    }

    private void init() {
        FakeChannel.Msg m = send(initRequest(2));
        assertEquals(0, m.error());
    }

    @Test
    void initReplyIsSixtyFourBytesWithOfferedFlagsOnly() {
        FakeChannel.Msg m = send(initRequest(2));
        assertEquals(16 + 64, m.len());
        assertEquals(0, m.error());
        assertEquals(2, m.unique());
        ByteBuffer b = m.body();
        assertEquals(7, b.getInt(0));
        assertEquals(45, b.getInt(4));
        assertEquals(131072, b.getInt(8));
        long flags = Integer.toUnsignedLong(b.getInt(12)) | Integer.toUnsignedLong(b.getInt(32)) << 32;
        long offered = Integer.toUnsignedLong(OFFERED) | (long) OFFERED2 << 32;
        assertEquals(0, flags & ~offered, "only offered bits accepted");
        assertTrue((flags & Fuse.Init.INIT_EXT) != 0);
        assertTrue((flags & Fuse.Init.POSIX_ACL) != 0);
        assertTrue((flags & Fuse.Init.DO_READDIRPLUS) != 0, "MemFileSystem implements readdirplus");
        assertTrue((flags & Fuse.Init.NO_EXPORT_SUPPORT) != 0);
        assertEquals(0, flags & Fuse.Init.WRITEBACK_CACHE);
        assertEquals(64, b.getShort(16));
        assertEquals(48, b.getShort(18));
        assertEquals(1 << 20, b.getInt(20));
        assertEquals(256, b.getShort(28));
        assertNotNull(fs.connection());
    }

    @Test
    void exportSupportAnswersDotAndDotDot() {
        d = new Dispatcher(fs, MountOptions.defaults().withExportSupport(true));
        FakeChannel.Msg initReply = send(initRequest(2));
        long flags = Integer.toUnsignedLong(initReply.body().getInt(12))
                | Integer.toUnsignedLong(initReply.body().getInt(32)) << 32;
        assertTrue((flags & Fuse.Init.EXPORT_SUPPORT) != 0);
        assertEquals(0, flags & Fuse.Init.NO_EXPORT_SUPPORT);
        long dir = send(req(Opcode.MKDIR, 1).u32(0755).u32(0).cstr("sub")).body().getLong(0);
        FakeChannel.Msg dot = send(req(Opcode.LOOKUP, dir).cstr("."));
        assertEquals(dir, dot.body().getLong(0));
        FakeChannel.Msg dotdot = send(req(Opcode.LOOKUP, dir).cstr(".."));
        assertEquals(1, dotdot.body().getLong(0));
    }

    @Test
    void oldKernelIsRefused() {
        FakeChannel.Msg m = send(RequestBuilder.of(Opcode.INIT, 2, 0).u32(7).u32(19).u32(0).u32(0));
        assertEquals(-Errno.EPROTO, m.error());
        assertEquals(16, m.len());
    }

    @Test
    void requestsBeforeInitGetEio() {
        FakeChannel.Msg m = send(req(Opcode.GETATTR, 1).zeros(16));
        assertEquals(-Errno.EIO, m.error());
    }

    @Test
    void lookupCountsAndForgetFreesUnlinkedInode() {
        init();
        FakeChannel.Msg mk = send(req(Opcode.MKNOD, 1).u32(Fuse.S_IFREG | 0644).u32(0).u32(022).u32(0).cstr("f"));
        assertEquals(0, mk.error());
        assertEquals(16 + 128, mk.len());
        long id = mk.body().getLong(0);
        assertEquals(0644 | Fuse.S_IFREG, mk.body().getInt(40 + 60), "umask applied (no default ACL)");
        assertEquals(1, d.lookupCount(id));
        FakeChannel.Msg lk = send(req(Opcode.LOOKUP, 1).cstr("f"));
        assertEquals(id, lk.body().getLong(0));
        assertEquals(2, d.lookupCount(id));
        assertEquals(0, send(req(Opcode.UNLINK, 1).cstr("f")).error());
        assertTrue(fs.exists(id), "kernel still references it");
        assertNull(send(req(Opcode.FORGET, id).u64(1)), "FORGET gets no reply");
        assertTrue(fs.exists(id));
        assertNull(send(RequestBuilder.of(Opcode.BATCH_FORGET, unique += 2, 0).u32(1).u32(0).u64(id).u64(1)));
        assertEquals(0, d.lookupCount(id));
        assertTrue(!fs.exists(id), "freed after the last forget");
    }

    @Test
    void undeliveredEntryReplyIsNotCounted() {
        init();
        ch.failWith = Errno.ENOENT; // request interrupted meanwhile: the kernel never saw the entry
        FakeChannel.Msg m = send(req(Opcode.MKDIR, 1).u32(0755).u32(0).cstr("d"));
        long id = m.body().getLong(0);
        assertEquals(0, d.lookupCount(id));
    }

    @Test
    void lookupMissIsEnoent() {
        init();
        FakeChannel.Msg m = send(req(Opcode.LOOKUP, 1).cstr("missing"));
        assertEquals(-Errno.ENOENT, m.error());
        assertEquals(16, m.len());
    }

    @Test
    void getattrLayout() {
        init();
        FakeChannel.Msg m = send(req(Opcode.GETATTR, 1).u32(0).u32(0).u64(0));
        assertEquals(16 + 104, m.len());
        assertEquals(1, m.body().getLong(0), "attr_valid 1 s");
        assertEquals(1, m.body().getLong(16), "ino");
        assertEquals(Fuse.S_IFDIR | 0755, m.body().getInt(16 + 60));
        assertEquals(2, m.body().getInt(16 + 64), "nlink");
    }

    @Test
    void writeThenReadThenShortReadAtEof() {
        init();
        FakeChannel.Msg c = send(req(Opcode.CREATE, 1).u32(Fuse.O_RDWR | Fuse.O_CREAT).u32(Fuse.S_IFREG | 0600)
                .u32(0).u32(0).cstr("f"));
        assertEquals(16 + 144, c.len());
        long id = c.body().getLong(0);
        long fh = c.body().getLong(128);
        byte[] data = "0123456789".getBytes(StandardCharsets.US_ASCII);
        FakeChannel.Msg w = send(req(Opcode.WRITE, id).u64(fh).u64(0).u32(data.length).u32(0).u64(0).u32(0).u32(0)
                .bytes(data));
        assertEquals(16 + 8, w.len());
        assertEquals(10, w.body().getInt(0));
        FakeChannel.Msg r = send(req(Opcode.READ, id).u64(fh).u64(4).u32(8192).u32(0).u64(0).u32(0).u32(0));
        assertEquals(16 + 6, r.len(), "short read = EOF");
        byte[] got = new byte[6];
        r.body().get(got);
        assertEquals("456789", new String(got, StandardCharsets.US_ASCII));
    }

    @Test
    void writeWithDataShorterThanDeclaredIsEinval() {
        init();
        FakeChannel.Msg m = send(req(Opcode.WRITE, 1).u64(0).u64(0).u32(100).u32(0).u64(0).u32(0).u32(0).zeros(10));
        assertEquals(-Errno.EINVAL, m.error());
    }

    @Test
    void getxattrSizeProbeAndErange() throws Exception {
        init();
        assertEquals(0, send(req(Opcode.SETXATTR, 1).u32(5).u32(0).u32(0).u32(0).cstr("user.a")
                .bytes("value".getBytes(StandardCharsets.US_ASCII))).error());
        FakeChannel.Msg probe = send(req(Opcode.GETXATTR, 1).u32(0).u32(0).cstr("user.a"));
        assertEquals(16 + 8, probe.len());
        assertEquals(5, probe.body().getInt(0));
        assertEquals(-Errno.ERANGE, send(req(Opcode.GETXATTR, 1).u32(3).u32(0).cstr("user.a")).error());
        FakeChannel.Msg v = send(req(Opcode.GETXATTR, 1).u32(100).u32(0).cstr("user.a"));
        assertEquals(16 + 5, v.len());
        assertEquals(-Errno.ENODATA, send(req(Opcode.GETXATTR, 1).u32(100).u32(0).cstr("user.none")).error());
        FakeChannel.Msg list = send(req(Opcode.LISTXATTR, 1).u32(100).u32(0));
        assertEquals(16 + 7, list.len(), "\"user.a\\0\"");
    }

    @Test
    void readdirRecordsAreAlignedAndCookiesResume() {
        init();
        for (String n : List.of("a", "bb", "ccc")) {
            send(req(Opcode.MKDIR, 1).u32(0755).u32(0).cstr(n));
        }
        FakeChannel.Msg m = send(req(Opcode.READDIR, 1).u64(0).u64(0).u32(4096).u32(0).u64(0).u32(0).u32(0));
        List<String> names = new ArrayList<>();
        List<Long> cookies = new ArrayList<>();
        ByteBuffer b = m.body();
        while (b.remaining() > 0) {
            int start = b.position();
            b.getLong();
            long off = b.getLong();
            int len = b.getInt();
            int type = b.getInt();
            byte[] nm = new byte[len];
            b.get(nm);
            names.add(new String(nm, StandardCharsets.ISO_8859_1));
            cookies.add(off);
            assertEquals(4, type, "DT_DIR");
            b.position(start + ((24 + len + 7) & ~7));
        }
        assertEquals(List.of(".", "..", "a", "bb", "ccc"), names);
        // resume after "a": the rest, also after "a" was removed meanwhile
        send(req(Opcode.RMDIR, 1).cstr("a"));
        FakeChannel.Msg rest = send(req(Opcode.READDIR, 1).u64(0).u64(cookies.get(2)).u32(4096).u32(0).u64(0)
                .u32(0).u32(0));
        assertEquals(16 + 32 + 32, rest.len(), "bb and ccc, 32 bytes each");
        FakeChannel.Msg end = send(req(Opcode.READDIR, 1).u64(0).u64(cookies.get(4)).u32(4096).u32(0).u64(0)
                .u32(0).u32(0));
        assertEquals(16, end.len(), "empty reply = end of directory");
    }

    @Test
    void readdirplusCountsEntriesButNotDotAndDotDot() {
        init();
        long id = send(req(Opcode.MKDIR, 1).u32(0755).u32(0).cstr("x")).body().getLong(0);
        send(req(Opcode.FORGET, id).u64(1));
        assertEquals(0, d.lookupCount(id));
        FakeChannel.Msg m = send(req(Opcode.READDIRPLUS, 1).u64(0).u64(0).u32(4096).u32(0).u64(0).u32(0).u32(0));
        assertEquals(16 + 3 * 160, m.len(), "three 160-byte records");
        assertEquals(1, d.lookupCount(id));
        assertEquals(0, d.lookupCount(1));
    }

    @Test
    void unknownOpcodeIsEnosysAndUnimplementedToo() {
        init();
        FakeChannel.Msg m = send(new RequestBuilder(99, unique += 2, 1));
        assertEquals(-Errno.ENOSYS, m.error());
        assertEquals(-Errno.ENOSYS, send(req(Opcode.IOCTL, 1).zeros(32)).error());
        assertEquals(-Errno.ENOSYS, send(req(Opcode.STATX, 1).zeros(24)).error());
    }

    @Test
    void fileSystemCrashBecomesEio() {
        FileSystem broken = new FileSystem() {
            @Override
            public Attr getattr(Context ctx, long nodeid, long fh) {
                throw new IllegalStateException("bug");
            }
        };
        d = new Dispatcher(broken, MountOptions.defaults());
        init();
        assertEquals(-Errno.EIO, send(req(Opcode.GETATTR, 1).zeros(16)).error());
        assertEquals(-Errno.ENOSYS, send(req(Opcode.LOOKUP, 1).cstr("x")).error(), "default method");
    }

    @Test
    void setlkwWaitsOffTheReaderAndInterruptEndsItWithEintr() throws Exception {
        init();
        long id = send(req(Opcode.MKNOD, 1).u32(Fuse.S_IFREG | 0644).u32(0).u32(0).u32(0).cstr("l")).body().getLong(0);
        // owner 1 holds a write lock on bytes 0..99
        assertEquals(0, send(req(Opcode.SETLK, id).u64(0).u64(1).u64(0).u64(99).u32(Fuse.F_WRLCK).u32(11)
                .u32(0).u32(0)).error());
        int before = ch.count();
        unique += 2;
        long waiter = unique;
        d.dispatch(ch, RequestBuilder.of(Opcode.SETLKW, waiter, id).u64(0).u64(2).u64(50).u64(60)
                .u32(Fuse.F_WRLCK).u32(22).u32(0).u32(0).build(4096), 40 + 48, out);
        assertEquals(before, ch.count(), "SETLKW blocked, reader returned");
        // GETLK from owner 2 sees owner 1's lock with its pid
        FakeChannel.Msg g = send(req(Opcode.GETLK, id).u64(0).u64(2).u64(0).u64(10).u32(Fuse.F_RDLCK).u32(0)
                .u32(0).u32(0));
        assertEquals(16 + 24, g.len());
        assertEquals(0, g.body().getLong(0));
        assertEquals(99, g.body().getLong(8));
        assertEquals(Fuse.F_WRLCK, g.body().getInt(16));
        assertEquals(11, g.body().getInt(20));
        // INTERRUPT (unique | 1) ends the wait: the original request is answered EINTR
        RequestBuilder intr = RequestBuilder.of(Opcode.INTERRUPT, waiter | 1, 0).u64(waiter);
        d.dispatch(ch, intr.build(4096), intr.length(), out);
        FakeChannel.Msg r = ch.await(before + 2, 10_000);
        assertNotNull(r, "no reply to the interrupted SETLKW");
        assertEquals(before + 2, ch.count(), "nothing answers the INTERRUPT itself");
        assertEquals(waiter, r.unique());
        assertEquals(-Errno.EINTR, r.error());
    }

    @Test
    void setlkwIsGrantedWhenTheHolderUnlocks() throws Exception {
        init();
        long id = send(req(Opcode.MKNOD, 1).u32(Fuse.S_IFREG | 0644).u32(0).u32(0).u32(0).cstr("l")).body().getLong(0);
        send(req(Opcode.SETLK, id).u64(0).u64(1).u64(0).u64(Fuse.OFFSET_MAX).u32(Fuse.F_WRLCK).u32(11).u32(0).u32(0));
        int before = ch.count();
        unique += 2;
        long waiter = unique;
        d.dispatch(ch, RequestBuilder.of(Opcode.SETLKW, waiter, id).u64(0).u64(2).u64(0).u64(0)
                .u32(Fuse.F_RDLCK).u32(22).u32(0).u32(0).build(4096), 40 + 48, out);
        // FLUSH of owner 1 drops its POSIX locks
        assertEquals(0, send(req(Opcode.FLUSH, id).u64(0).u32(0).u32(0).u64(1)).error());
        FakeChannel.Msg granted = null;
        for (int i = before + 1; i <= before + 2; i++) {
            FakeChannel.Msg m = ch.await(i, 10_000);
            if (m != null && m.unique() == waiter) {
                granted = m;
            }
        }
        assertNotNull(granted);
        assertEquals(0, granted.error());
    }

    @Test
    void notifierRefusesHandlerThreads() {
        FileSystem fsCallingNotifier = new FileSystem() {
            @Override
            public Attr getattr(Context ctx, long nodeid, long fh) throws ErrnoException {
                assertTrue(Dispatcher.onHandlerThread());
                SessionNotifier n = new SessionNotifier(new FakeChannel());
                assertThrows(IllegalStateException.class, () -> n.invalidateInode(1, 0, 0));
                n.close();
                throw new ErrnoException(Errno.EAGAIN);
            }
        };
        d = new Dispatcher(fsCallingNotifier, MountOptions.defaults());
        init();
        assertEquals(-Errno.EAGAIN, send(req(Opcode.GETATTR, 1).zeros(16)).error());
    }

    @Test
    void notificationsAreEncodedAsTheKernelExpects() throws Exception {
        FakeChannel nc = new FakeChannel();
        SessionNotifier n = new SessionNotifier(nc);
        try {
            assertTrue(n.invalidateInode(5, -1, 0));
            FakeChannel.Msg m = nc.last();
            assertEquals(40, m.len());
            assertEquals(Fuse.NOTIFY_INVAL_INODE, m.error());
            assertEquals(0, m.unique());
            assertEquals(5, m.body().getLong(0));
            assertEquals(-1, m.body().getLong(8));
            assertTrue(n.invalidateEntry(1, "abc", false));
            m = nc.last();
            assertEquals(32 + 3 + 1, m.len());
            assertEquals(3, m.body().getInt(8));
            assertEquals(0, m.body().get(16 + 3));
            assertTrue(n.delete(1, 9, "zz"));
            m = nc.last();
            assertEquals(40 + 2 + 1, m.len());
            assertEquals(Fuse.NOTIFY_DELETE, m.error());
            assertEquals(9, m.body().getLong(8));
            assertTrue(n.incrementEpoch());
            assertEquals(16, nc.last().len());
            nc.failWith = Errno.ENOENT;
            assertTrue(!n.invalidateInode(77, 0, 0), "ENOENT = nothing cached");
            nc.failWith = Errno.EINVAL;
            assertThrows(org.gfs2j.fuse.fs.NotifyException.class, () -> n.invalidateInode(77, 0, 0));
        } finally {
            n.close();
        }
    }

    @Test
    void entryForRootAsChildIsNotCounted() {
        init();
        FileSystem fsReturningRoot = new FileSystem() {
            @Override
            public Entry lookup(Context ctx, long parent, String name) {
                return new Entry(1, 0, null, null, null);
            }
        };
        d = new Dispatcher(fsReturningRoot, MountOptions.defaults());
        init();
        send(req(Opcode.LOOKUP, 1).cstr("x"));
        assertEquals(0, d.lookupCount(1));
    }
}
