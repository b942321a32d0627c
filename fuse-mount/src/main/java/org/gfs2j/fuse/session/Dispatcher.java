package org.gfs2j.fuse.session;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.gfs2j.fuse.fs.Attr;
import org.gfs2j.fuse.fs.ConnectionInfo;
import org.gfs2j.fuse.fs.Context;
import org.gfs2j.fuse.fs.Created;
import org.gfs2j.fuse.fs.DirectoryPlusSink;
import org.gfs2j.fuse.fs.Entry;
import org.gfs2j.fuse.fs.ErrnoException;
import org.gfs2j.fuse.fs.FileLock;
import org.gfs2j.fuse.fs.FileSystem;
import org.gfs2j.fuse.fs.Notifier;
import org.gfs2j.fuse.fs.OpenReply;
import org.gfs2j.fuse.fs.SetAttr;
import org.gfs2j.fuse.protocol.Errno;
import org.gfs2j.fuse.protocol.Fuse;
import org.gfs2j.fuse.protocol.InHeader;
import org.gfs2j.fuse.protocol.InitNegotiation;
import org.gfs2j.fuse.protocol.MalformedRequestException;
import org.gfs2j.fuse.protocol.Opcode;
import org.gfs2j.fuse.protocol.Replies;
import org.gfs2j.fuse.protocol.Request;
import org.gfs2j.fuse.protocol.RequestParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The raw layer: decodes one request, calls the {@link FileSystem} method its opcode maps to
 * (the handler table), encodes the reply and writes it to the channel the request came from.
 * It also negotiates INIT, counts lookup references (FORGET/BATCH_FORGET), routes INTERRUPTs to the
 * request in flight, and runs blocking lock requests (SETLKW) off the reader threads.
 *
 * <p>Bad input never escapes: a request that cannot be decoded gets -EINVAL (-ENOSYS for an unknown
 * opcode) when it expects a reply and its unique could be read, otherwise it is dropped; an
 * exception from the file system becomes -EIO and is logged.
 */
public final class Dispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    private static final ThreadLocal<Boolean> HANDLER_THREAD = ThreadLocal.withInitial(() -> Boolean.FALSE);

    @FunctionalInterface
    private interface Handler {
        void handle(Request r, RequestContext ctx, Reply reply) throws ErrnoException, MalformedRequestException;
    }

    private final FileSystem fs;
    private final MountOptions options;
    private final Map<Opcode, Handler> table = new EnumMap<>(Opcode.class);
    private final LookupCounts counts = new LookupCounts();
    private final InterruptRegistry interrupts = new InterruptRegistry();
    private final CountDownLatch initialized = new CountDownLatch(1);
    private final ExecutorService blocking;
    private final boolean fsHasReaddirplus;
    private volatile Notifier notifier;
    private volatile ConnectionInfo connection;
    private volatile String initFailure;
    private volatile boolean destroyed;
    private final AtomicInteger malformedLogged = new AtomicInteger();

    public Dispatcher(FileSystem fs, MountOptions options) {
        this.fs = fs;
        this.options = options;
        this.fsHasReaddirplus = overrides(fs, "readdirplus", Context.class, long.class, long.class, long.class,
                DirectoryPlusSink.class);
        AtomicInteger n = new AtomicInteger();
        this.blocking = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fuse-blocking-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        buildTable();
    }

    private static boolean overrides(Object o, String name, Class<?>... params) {
        try {
            return o.getClass().getMethod(name, params).getDeclaringClass() != FileSystem.class;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    /** True on a thread that is handling a request (notifications must not be sent from there). */
    public static boolean onHandlerThread() {
        return HANDLER_THREAD.get();
    }

    void setNotifier(Notifier notifier) {
        this.notifier = notifier;
    }

    /** Waits until INIT was answered; false on timeout. */
    boolean awaitInit(long timeout, TimeUnit unit) throws InterruptedException {
        return initialized.await(timeout, unit);
    }

    /** Why INIT was refused, or null. */
    String initFailure() {
        return initFailure;
    }

    public ConnectionInfo connection() {
        return connection;
    }

    /** The kernel's current lookup count for {@code nodeid} (for tests and diagnostics). */
    public long lookupCount(long nodeid) {
        return counts.get(nodeid);
    }

    /** Requests currently being handled (tests, diagnostics). */
    public int inFlightRequests() {
        return interrupts.inFlightCount();
    }

    private void buildTable() {
        table.put(Opcode.INIT, this::init);
        table.put(Opcode.DESTROY, (r, c, reply) -> {
            endSession();
            reply.send();
        });
        table.put(Opcode.LOOKUP, this::lookup);
        table.put(Opcode.FORGET, this::forget);
        table.put(Opcode.BATCH_FORGET, this::batchForget);
        table.put(Opcode.INTERRUPT, (r, c, reply) -> interrupts.interrupt(r.u64("unique")));
        table.put(Opcode.GETATTR, this::getattr);
        table.put(Opcode.SETATTR, this::setattr);
        table.put(Opcode.READLINK, (r, c, reply) -> {
            byte[] target = fs.readlink(c, r.nodeid());
            reply.body().put(target, 0, Math.min(target.length, reply.room()));
            reply.send();
        });
        table.put(Opcode.SYMLINK, (r, c, reply) -> {
            String name = r.name("name");
            byte[] target = r.cstringBytes("target");
            if (target.length == 0) {
                throw new ErrnoException(Errno.ENOENT);
            }
            sendEntry(reply, fs.symlink(c, r.nodeid(), name, target));
        });
        table.put(Opcode.MKNOD, (r, c, reply) -> {
            int mode = r.u32("mode");
            int rdev = r.u32("rdev");
            int umask = r.u32("umask");
            r.skip(4, "padding");
            sendEntry(reply, fs.mknod(c, r.nodeid(), r.name("name"), mode, rdev, umask));
        });
        table.put(Opcode.MKDIR, (r, c, reply) -> {
            int mode = r.u32("mode");
            int umask = r.u32("umask");
            sendEntry(reply, fs.mkdir(c, r.nodeid(), r.name("name"), mode, umask));
        });
        table.put(Opcode.UNLINK, (r, c, reply) -> {
            fs.unlink(c, r.nodeid(), r.name("name"));
            reply.send();
        });
        table.put(Opcode.RMDIR, (r, c, reply) -> {
            fs.rmdir(c, r.nodeid(), r.name("name"));
            reply.send();
        });
        table.put(Opcode.RENAME, (r, c, reply) -> {
            long newDir = r.u64("newdir");
            String from = r.name("oldname");
            String to = r.name("newname");
            fs.rename(c, r.nodeid(), from, newDir, to, 0);
            reply.send();
        });
        table.put(Opcode.RENAME2, (r, c, reply) -> {
            long newDir = r.u64("newdir");
            int flags = r.u32("flags");
            r.skip(4, "padding");
            String from = r.name("oldname");
            String to = r.name("newname");
            fs.rename(c, r.nodeid(), from, newDir, to, flags);
            reply.send();
        });
        table.put(Opcode.LINK, (r, c, reply) -> {
            long old = r.u64("oldnodeid");
            sendEntry(reply, fs.link(c, old, r.nodeid(), r.name("newname")));
        });
        table.put(Opcode.OPEN, (r, c, reply) -> {
            int flags = r.u32("flags");
            int openFlags = r.u32("open_flags");
            sendOpen(reply, r.nodeid(), fs.open(c, r.nodeid(), flags, openFlags), false);
        });
        table.put(Opcode.OPENDIR, (r, c, reply) -> {
            int flags = r.u32("flags");
            sendOpen(reply, r.nodeid(), fs.opendir(c, r.nodeid(), flags), true);
        });
        table.put(Opcode.READ, this::read);
        table.put(Opcode.WRITE, this::write);
        table.put(Opcode.STATFS, (r, c, reply) -> {
            Replies.statfs(reply.body(), fs.statfs(c, r.nodeid()));
            reply.send();
        });
        table.put(Opcode.RELEASE, (r, c, reply) -> {
            long fh = r.u64("fh");
            int flags = r.u32("flags");
            int releaseFlags = r.u32("release_flags");
            long owner = r.u64("lock_owner");
            fs.release(c, r.nodeid(), fh, flags, releaseFlags, owner);
            reply.send();
        });
        table.put(Opcode.RELEASEDIR, (r, c, reply) -> {
            long fh = r.u64("fh");
            int flags = r.u32("flags");
            fs.releasedir(c, r.nodeid(), fh, flags);
            reply.send();
        });
        table.put(Opcode.FSYNC, (r, c, reply) -> {
            long fh = r.u64("fh");
            int flags = r.u32("fsync_flags");
            fs.fsync(c, r.nodeid(), fh, (flags & Fuse.FSYNC_FDATASYNC) != 0);
            reply.send();
        });
        table.put(Opcode.FSYNCDIR, (r, c, reply) -> {
            long fh = r.u64("fh");
            int flags = r.u32("fsync_flags");
            fs.fsyncdir(c, r.nodeid(), fh, (flags & Fuse.FSYNC_FDATASYNC) != 0);
            reply.send();
        });
        table.put(Opcode.FLUSH, (r, c, reply) -> {
            long fh = r.u64("fh");
            r.skip(8, "unused");
            long owner = r.u64("lock_owner");
            fs.flush(c, r.nodeid(), fh, owner);
            reply.send();
        });
        table.put(Opcode.SETXATTR, this::setxattr);
        table.put(Opcode.GETXATTR, (r, c, reply) -> {
            int size = r.u32("size");
            r.skip(4, "padding");
            sendSized(reply, size, fs.getxattr(c, r.nodeid(), r.xattrName("name")));
        });
        table.put(Opcode.LISTXATTR, (r, c, reply) -> {
            int size = r.u32("size");
            r.skip(4, "padding");
            sendSized(reply, size, fs.listxattr(c, r.nodeid()));
        });
        table.put(Opcode.REMOVEXATTR, (r, c, reply) -> {
            fs.removexattr(c, r.nodeid(), r.xattrName("name"));
            reply.send();
        });
        table.put(Opcode.READDIR, (r, c, reply) -> readdir(r, c, reply, false));
        table.put(Opcode.READDIRPLUS, (r, c, reply) -> readdir(r, c, reply, true));
        table.put(Opcode.ACCESS, (r, c, reply) -> {
            fs.access(c, r.nodeid(), r.u32("mask"));
            reply.send();
        });
        table.put(Opcode.CREATE, (r, c, reply) -> {
            int flags = r.u32("flags");
            int mode = r.u32("mode");
            int umask = r.u32("umask");
            r.skip(4, "open_flags");
            Created created = fs.create(c, r.nodeid(), r.name("name"), mode, umask, flags);
            Replies.entry(reply.body(), created.entry());
            Replies.open(reply.body(), created.open());
            sendCounted(reply, created.entry().nodeid(), 1, created.open(), r.nodeid());
        });
        table.put(Opcode.GETLK, this::getlk);
        table.put(Opcode.SETLK, (r, c, reply) -> setlk(r, c, reply, false));
        table.put(Opcode.FALLOCATE, (r, c, reply) -> {
            long fh = r.u64("fh");
            long offset = r.u64("offset");
            long length = r.u64("length");
            int mode = r.u32("mode");
            if (offset < 0 || length <= 0) {
                throw new ErrnoException(Errno.EINVAL);
            }
            fs.fallocate(c, r.nodeid(), fh, offset, length, mode);
            reply.send();
        });
        table.put(Opcode.LSEEK, (r, c, reply) -> {
            long fh = r.u64("fh");
            long offset = r.u64("offset");
            int whence = r.u32("whence");
            Replies.u64Out(reply.body(), fs.lseek(c, r.nodeid(), fh, offset, whence));
            reply.send();
        });
        table.put(Opcode.COPY_FILE_RANGE, (r, c, reply) -> copyFileRange(r, c, reply, false));
        table.put(Opcode.COPY_FILE_RANGE_64, (r, c, reply) -> copyFileRange(r, c, reply, true));
        // Everything else (IOCTL, POLL, BMAP, TMPFILE, STATX, SYNCFS, NOTIFY_REPLY, ...) has no handler:
        // requests that expect a reply get ENOSYS, whose per-opcode meaning is the generic fallback.
    }

    /**
     * Handles one request of {@code count} bytes in {@code in}, replying through {@code channel}
     * with {@code out} as the reply buffer. Never throws for bad input.
     */
    public void dispatch(Channel channel, ByteBuffer in, int count, ByteBuffer out) {
        HANDLER_THREAD.set(Boolean.TRUE);
        try {
            dispatch0(channel, in.order(ByteOrder.LITTLE_ENDIAN), count, out);
        } finally {
            HANDLER_THREAD.set(Boolean.FALSE);
        }
    }

    private void dispatch0(Channel channel, ByteBuffer in, int count, ByteBuffer out) {
        Request r;
        try {
            r = RequestParser.parse(in, count);
        } catch (MalformedRequestException e) {
            rejectMalformed(channel, in, count, out, e);
            return;
        }
        Opcode op = r.opcode();
        if (connection == null && op != Opcode.INIT) {
            LOG.warn("{} (unique {}) before INIT: answered EIO", op, r.unique());
            if (op.replies()) {
                new Reply(channel, out, r.unique()).error(Errno.EIO);
            }
            return;
        }
        Handler h = table.get(op);
        if (op == Opcode.SETLKW) {
            dispatchBlocking(channel, r);
            return;
        }
        RequestContext ctx = new RequestContext(r.header());
        Reply reply = new Reply(channel, out, r.unique());
        boolean tracked = op.replies();
        if (tracked) {
            interrupts.begin(ctx);
        }
        try {
            run(h, r, ctx, reply);
        } finally {
            if (tracked) {
                interrupts.end(ctx);
            }
        }
    }

    private void run(Handler h, Request r, RequestContext ctx, Reply reply) {
        Opcode op = r.opcode();
        int errno = 0;
        try {
            if (h == null) {
                errno = Errno.ENOSYS;
            } else {
                h.handle(r, ctx, reply);
            }
        } catch (ErrnoException e) {
            errno = e.errno();
        } catch (MalformedRequestException e) {
            logMalformed(op + " unique " + r.unique(), e.getMessage());
            errno = Errno.EINVAL;
        } catch (RuntimeException | StackOverflowError e) {
            LOG.error("{} (unique {}, node {}) failed in the file system; answered EIO", op, r.unique(),
                    r.nodeid(), e);
            errno = Errno.EIO;
        }
        if (!op.replies()) {
            return;
        }
        if (errno != 0 && !reply.sent()) {
            int w = reply.error(errno);
            if (w != 0 && w != Errno.ENOENT) {
                LOG.warn("error reply to {} (unique {}) refused: {}", op, r.unique(), Errno.describe(w));
            }
        } else if (!reply.sent()) {
            LOG.error("{} handler sent no reply (unique {}); answered EIO", op, r.unique());
            reply.error(Errno.EIO);
        }
    }

    /** Logs bad input at WARN for the first occurrences, then at DEBUG (a broken peer must not flood the log). */
    private void logMalformed(String what, Object detail) {
        if (malformedLogged.incrementAndGet() <= 50) {
            LOG.warn("malformed request: {}: {}", what, detail);
        } else {
            LOG.debug("malformed request: {}: {}", what, detail);
        }
    }

    private void rejectMalformed(Channel channel, ByteBuffer in, int count, ByteBuffer out,
                                 MalformedRequestException e) {
        logMalformed("framing", e.getMessage());
        if (e.unique() < 0 || count < InHeader.SIZE) {
            return;
        }
        Opcode op = Opcode.of(InHeader.decode(in).opcode());
        if (op != null && !op.replies()) {
            return;
        }
        int errno = e.kind() == MalformedRequestException.Kind.UNKNOWN_OPCODE ? Errno.ENOSYS : Errno.EINVAL;
        new Reply(channel, out, e.unique()).error(errno);
    }

    /** SETLKW may wait for a long time: wait on a separate thread so readers stay free. */
    private void dispatchBlocking(Channel channel, Request r) {
        // The request body is a view of the reader's buffer: decode before handing over.
        long fh;
        long owner;
        FileLock lock;
        int lkFlags;
        try {
            fh = r.u64("fh");
            owner = r.u64("owner");
            lock = readLock(r);
            lkFlags = r.u32("lk_flags");
        } catch (MalformedRequestException e) {
            new Reply(channel, ByteBuffer.allocateDirect(Fuse.OUT_HEADER_SIZE), r.unique()).error(Errno.EINVAL);
            return;
        }
        RequestContext ctx = new RequestContext(r.header());
        interrupts.begin(ctx);
        long nodeid = r.nodeid();
        Runnable task = () -> {
            HANDLER_THREAD.set(Boolean.TRUE);
            Reply reply = new Reply(channel, ByteBuffer.allocateDirect(Fuse.OUT_HEADER_SIZE), r.unique());
            try {
                applyLock(ctx, nodeid, fh, owner, lock, lkFlags, true);
                reply.send();
            } catch (ErrnoException e) {
                reply.error(e.errno());
            } catch (RuntimeException e) {
                LOG.error("SETLKW (unique {}) failed in the file system; answered EIO", ctx.unique(), e);
                reply.error(Errno.EIO);
            } finally {
                interrupts.end(ctx);
                HANDLER_THREAD.set(Boolean.FALSE);
            }
        };
        try {
            blocking.execute(task);
        } catch (RejectedExecutionException e) {
            interrupts.end(ctx);
            new Reply(channel, ByteBuffer.allocateDirect(Fuse.OUT_HEADER_SIZE), r.unique()).error(Errno.EINTR);
        }
    }

    // ---- handlers ----

    private void init(Request r, RequestContext ctx, Reply reply) throws MalformedRequestException, ErrnoException {
        InitNegotiation.InitIn in = InitNegotiation.decode(r);
        if (in.major() != Fuse.KERNEL_VERSION || in.minor() < 26) {
            String why = "kernel speaks FUSE " + in.major() + "." + in.minor() + "; this server needs 7.26 or later";
            logMalformed("INIT", why);
            if (connection == null) {
                initFailure = why;
                initialized.countDown();
            }
            throw new ErrnoException(Errno.EPROTO);
        }
        if (connection != null) {
            LOG.warn("second INIT ignored");
            throw new ErrnoException(Errno.EINVAL);
        }
        InitNegotiation.InitOut out = InitNegotiation.negotiate(in, wantedFlags(), options.maxWrite(),
                options.maxBackground());
        ConnectionInfo info = new ConnectionInfo(out.minor(), in.flags(), out.flags(), out.maxWrite(),
                out.maxPages(), out.maxReadahead(), notifier);
        connection = info;
        fs.init(info);
        out.encode(reply.body());
        int w = reply.send();
        if (w != 0) {
            LOG.error("INIT reply refused: {}", Errno.describe(w));
        }
        LOG.debug("INIT: kernel 7.{} flags {}, accepted {}", in.minor(), Long.toHexString(in.flags()),
                Long.toHexString(out.flags()));
        initialized.countDown();
    }

    /** Capability bits we ask for; see docs/fuse.md for why each one is (not) there. */
    long wantedFlags() {
        long f = Fuse.Init.ASYNC_READ | Fuse.Init.POSIX_LOCKS | Fuse.Init.ATOMIC_O_TRUNC | Fuse.Init.BIG_WRITES
                | Fuse.Init.FLOCK_LOCKS | Fuse.Init.ASYNC_DIO | Fuse.Init.PARALLEL_DIROPS
                | Fuse.Init.ABORT_ERROR | Fuse.Init.MAX_PAGES | Fuse.Init.CACHE_SYMLINKS
                | Fuse.Init.EXPLICIT_INVAL_DATA | Fuse.Init.HANDLE_KILLPRIV_V2 | Fuse.Init.SETXATTR_EXT
                | Fuse.Init.INIT_EXT;
        if (options.posixAcl()) {
            f |= Fuse.Init.POSIX_ACL | Fuse.Init.DONT_MASK;
        }
        if (fsHasReaddirplus) {
            f |= Fuse.Init.DO_READDIRPLUS | Fuse.Init.READDIRPLUS_AUTO;
        }
        f |= options.exportSupport() ? Fuse.Init.EXPORT_SUPPORT : Fuse.Init.NO_EXPORT_SUPPORT;
        return f;
    }

    private void lookup(Request r, RequestContext c, Reply reply) throws ErrnoException, MalformedRequestException {
        byte[] raw = r.cstringBytes("name");
        String name = new String(raw, StandardCharsets.ISO_8859_1);
        Entry e;
        if (name.equals(".")) {
            // Only with EXPORT_SUPPORT: resolve a node the kernel does not have cached.
            Attr a = fs.getattr(c, r.nodeid(), -1);
            e = new Entry(r.nodeid(), 0, Duration.ZERO, fs.attrTimeout(r.nodeid()), a);
        } else {
            if (raw.length == 0 || raw.length > Request.NAME_MAX || name.indexOf('/') >= 0) {
                throw new MalformedRequestException(MalformedRequestException.Kind.BAD_NAME, r.unique(),
                        "LOOKUP name of length " + raw.length);
            }
            e = fs.lookup(c, r.nodeid(), name);
        }
        sendEntry(reply, e);
    }

    private void sendEntry(Reply reply, Entry e) {
        Replies.entry(reply.body(), e);
        sendCounted(reply, e.nodeid(), 1, null, -1);
    }

    /** Counts the reference before the write (a FORGET may follow at once) and undoes it on failure. */
    private void sendCounted(Reply reply, long nodeid, long n, OpenReply open, long parent) {
        counts.add(nodeid, n);
        int w = reply.send();
        if (w != 0) {
            LOG.debug("entry reply for node {} not delivered: {}", nodeid, Errno.describe(w));
            if (counts.rollback(nodeid, n)) {
                fs.forget(nodeid);
            }
            if (open != null) {
                releaseOrphan(nodeid, open, false);
            }
        }
    }

    /** An OPEN/CREATE reply the kernel never received: no RELEASE will come, so release it here. */
    private void releaseOrphan(long nodeid, OpenReply open, boolean dir) {
        RequestContext kernel = new RequestContext(new InHeader(0, 0, 0, nodeid, 0, 0, 0, 0));
        try {
            if (dir) {
                fs.releasedir(kernel, nodeid, open.fh(), 0);
            } else {
                fs.release(kernel, nodeid, open.fh(), 0, 0, 0);
            }
        } catch (ErrnoException | RuntimeException e) {
            LOG.warn("releasing undelivered handle {} of node {}: {}", open.fh(), nodeid, e.toString());
        }
    }

    private void sendOpen(Reply reply, long nodeid, OpenReply open, boolean dir) {
        Replies.open(reply.body(), open);
        int w = reply.send();
        if (w != 0) {
            releaseOrphan(nodeid, open, dir);
        }
    }

    private void forget(Request r, RequestContext c, Reply reply) throws MalformedRequestException {
        long n = r.u64("nlookup");
        if (counts.forget(r.nodeid(), n)) {
            fs.forget(r.nodeid());
        }
    }

    private void batchForget(Request r, RequestContext c, Reply reply) throws MalformedRequestException {
        int count = r.u32("count");
        r.skip(4, "dummy");
        if (count < 0 || (long) count * 16 > r.remaining()) {
            throw new MalformedRequestException(MalformedRequestException.Kind.BAD_FIELD, r.unique(),
                    "BATCH_FORGET count " + Integer.toUnsignedString(count) + " but " + r.remaining() + " bytes");
        }
        for (int i = 0; i < count; i++) {
            long nodeid = r.u64("nodeid");
            long n = r.u64("nlookup");
            if (counts.forget(nodeid, n)) {
                fs.forget(nodeid);
            }
        }
    }

    private void getattr(Request r, RequestContext c, Reply reply) throws ErrnoException, MalformedRequestException {
        int flags = r.u32("getattr_flags");
        r.skip(4, "dummy");
        long fh = r.u64("fh");
        Attr a = fs.getattr(c, r.nodeid(), (flags & Fuse.GETATTR_FH) != 0 ? fh : -1);
        Replies.attrOut(reply.body(), a, fs.attrTimeout(r.nodeid()));
        reply.send();
    }

    private void setattr(Request r, RequestContext c, Reply reply) throws ErrnoException, MalformedRequestException {
        int valid = r.u32("valid");
        r.skip(4, "padding");
        long fh = r.u64("fh");
        long size = r.u64("size");
        long owner = r.u64("lock_owner");
        long atime = r.u64("atime");
        long mtime = r.u64("mtime");
        long ctime = r.u64("ctime");
        int atimensec = r.u32("atimensec");
        int mtimensec = r.u32("mtimensec");
        int ctimensec = r.u32("ctimensec");
        int mode = r.u32("mode");
        r.skip(4, "unused");
        int uid = r.u32("uid");
        int gid = r.u32("gid");
        if ((valid & Fuse.SetattrValid.SIZE) != 0 && size < 0) {
            throw new ErrnoException(Errno.EINVAL);
        }
        SetAttr s = new SetAttr(valid, fh, size, owner, atime, atimensec, mtime, mtimensec, ctime, ctimensec,
                mode, uid, gid);
        Attr a = fs.setattr(c, r.nodeid(), s);
        Replies.attrOut(reply.body(), a, fs.attrTimeout(r.nodeid()));
        reply.send();
    }

    private void read(Request r, RequestContext c, Reply reply) throws ErrnoException, MalformedRequestException {
        long fh = r.u64("fh");
        long offset = r.u64("offset");
        int size = r.u32("size");
        if (offset < 0 || size < 0) {
            throw new ErrnoException(Errno.EINVAL);
        }
        size = Math.min(size, reply.room());
        ByteBuffer body = reply.body();
        ByteBuffer dst = body.slice().limit(size);
        int n = fs.read(c, r.nodeid(), fh, offset, size, dst);
        if (n < 0 || n > size) {
            LOG.error("read of node {} returned {} for {} bytes", r.nodeid(), n, size);
            throw new ErrnoException(Errno.EIO);
        }
        body.position(body.position() + n);
        reply.send();
    }

    private void write(Request r, RequestContext c, Reply reply) throws ErrnoException, MalformedRequestException {
        long fh = r.u64("fh");
        long offset = r.u64("offset");
        int size = r.u32("size");
        int writeFlags = r.u32("write_flags");
        r.skip(16, "lock_owner, flags, padding");
        ByteBuffer data = r.slice(size, "data");
        if (offset < 0 || offset + size < 0) {
            throw new ErrnoException(Errno.EFBIG);
        }
        int n = fs.write(c, r.nodeid(), fh, offset, data, writeFlags);
        if (n < 0 || n > size) {
            LOG.error("write of node {} returned {} for {} bytes", r.nodeid(), n, size);
            throw new ErrnoException(Errno.EIO);
        }
        Replies.u32Out(reply.body(), n);
        reply.send();
    }

    private void setxattr(Request r, RequestContext c, Reply reply) throws ErrnoException, MalformedRequestException {
        int size = r.u32("size");
        int flags = r.u32("flags");
        int setxattrFlags = 0;
        if (connection.has(Fuse.Init.SETXATTR_EXT)) {
            setxattrFlags = r.u32("setxattr_flags");
            r.skip(4, "padding");
        }
        String name = r.xattrName("name");
        if (size < 0 || size > 65536) {
            throw new ErrnoException(Errno.E2BIG);
        }
        byte[] value = r.bytes(size, "value");
        fs.setxattr(c, r.nodeid(), name, value, flags, setxattrFlags);
        reply.send();
    }

    private static void sendSized(Reply reply, int size, byte[] value) throws ErrnoException {
        if (size == 0) {
            Replies.u32Out(reply.body(), value.length);
        } else if (value.length > size || value.length > reply.room()) {
            throw new ErrnoException(Errno.ERANGE);
        } else {
            reply.body().put(value);
        }
        reply.send();
    }

    private void readdir(Request r, RequestContext c, Reply reply, boolean plus)
            throws ErrnoException, MalformedRequestException {
        long fh = r.u64("fh");
        long offset = r.u64("offset");
        int size = r.u32("size");
        ByteBuffer b = reply.body();
        int limit = b.position() + Math.max(0, Math.min(size, reply.room()));
        if (!plus) {
            fs.readdir(c, r.nodeid(), fh, offset, (name, ino, mode, next) -> {
                int len = Replies.direntSize(name.length());
                if (b.position() + len > limit) {
                    return false;
                }
                Replies.dirent(b, ino, next, mode, name);
                return true;
            });
            reply.send();
            return;
        }
        List<Long> referenced = new ArrayList<>();
        fs.readdirplus(c, r.nodeid(), fh, offset, (name, entry, next) -> {
            int len = Replies.direntPlusSize(name.length());
            if (b.position() + len > limit) {
                return false;
            }
            Replies.direntPlus(b, entry, next, name);
            if (entry.nodeid() != 0 && !name.equals(".") && !name.equals("..")) {
                referenced.add(entry.nodeid());
            }
            return true;
        });
        referenced.forEach(id -> counts.add(id, 1));
        int w = reply.send();
        if (w != 0) {
            for (long id : referenced) {
                if (counts.rollback(id, 1)) {
                    fs.forget(id);
                }
            }
        }
    }

    private static FileLock readLock(Request r) throws MalformedRequestException {
        long start = r.u64("lk.start");
        long end = r.u64("lk.end");
        int type = r.u32("lk.type");
        int pid = r.u32("lk.pid");
        return new FileLock(start, end, type, pid);
    }

    private void getlk(Request r, RequestContext c, Reply reply) throws ErrnoException, MalformedRequestException {
        long fh = r.u64("fh");
        long owner = r.u64("owner");
        FileLock lock = readLock(r);
        checkLock(lock);
        Replies.fileLock(reply.body(), fs.getlk(c, r.nodeid(), fh, owner, lock));
        reply.send();
    }

    private void setlk(Request r, RequestContext c, Reply reply, boolean wait)
            throws ErrnoException, MalformedRequestException {
        long fh = r.u64("fh");
        long owner = r.u64("owner");
        FileLock lock = readLock(r);
        int lkFlags = r.u32("lk_flags");
        applyLock(c, r.nodeid(), fh, owner, lock, lkFlags, wait);
        reply.send();
    }

    private static void checkLock(FileLock lock) throws ErrnoException {
        if (lock.type() < Fuse.F_RDLCK || lock.type() > Fuse.F_UNLCK || lock.start() < 0 || lock.end() < lock.start()) {
            throw new ErrnoException(Errno.EINVAL);
        }
    }

    private void applyLock(Context c, long nodeid, long fh, long owner, FileLock lock, int lkFlags, boolean wait)
            throws ErrnoException {
        checkLock(lock);
        if ((lkFlags & Fuse.LK_FLOCK) != 0) {
            fs.flock(c, nodeid, fh, owner, lock.type(), wait);
        } else {
            fs.setlk(c, nodeid, fh, owner, lock, wait);
        }
    }

    private void copyFileRange(Request r, RequestContext c, Reply reply, boolean wide)
            throws ErrnoException, MalformedRequestException {
        long fhIn = r.u64("fh_in");
        long offIn = r.u64("off_in");
        long nodeOut = r.u64("nodeid_out");
        long fhOut = r.u64("fh_out");
        long offOut = r.u64("off_out");
        long len = r.u64("len");
        long flags = r.u64("flags");
        if (!wide) {
            len = Math.min(len, 0xFFFFF000L);
        }
        long n = fs.copyFileRange(c, r.nodeid(), fhIn, offIn, nodeOut, fhOut, offOut, len, flags);
        if (wide) {
            Replies.u64Out(reply.body(), n);
        } else {
            Replies.u32Out(reply.body(), (int) n);
        }
        reply.send();
    }

    /** The connection ended: every lookup reference is implicitly dropped, blocked waits end. */
    void endSession() {
        if (destroyed) {
            return;
        }
        destroyed = true;
        interrupts.interruptAll();
        blocking.shutdown();
        for (long id : counts.drain()) {
            try {
                fs.forget(id);
            } catch (RuntimeException e) {
                LOG.warn("forget({}) at session end failed", id, e);
            }
        }
        try {
            fs.destroy();
        } catch (RuntimeException e) {
            LOG.warn("file system destroy failed", e);
        }
    }

    /** Interrupts in-flight requests and waits briefly for blocking lock threads to finish. */
    void shutdown() {
        endSession();
        try {
            blocking.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
