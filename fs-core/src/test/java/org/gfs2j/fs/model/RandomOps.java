package org.gfs2j.fs.model;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import org.gfs2j.fs.vfs.FsException;
import org.gfs2j.fs.vfs.Gfs2Vfs;
import org.gfs2j.fs.vfs.InodeAttributes;

/**
 * One random operation at a time against a {@link Gfs2Vfs} and a {@link PosixModel}: the model
 * says which errno (or success) POSIX requires, the file system's answer must be the same, and a
 * success's returned attributes must match the model's inode.
 */
final class RandomOps {
    /** Operation kinds; only {@link #enabled} ones are drawn. */
    enum Kind {
        CREATE, MKDIR, SYMLINK, UNLINK, RMDIR, RENAME, LINK, READLINK, WRITE, TRUNCATE, READ, CHMOD, CHOWN,
        UTIMES, LOOKUP, GETATTR,
        /** rmdir (and rename over) empty directories that once grew into exhash; off: ENOSYS is accepted. */
        RMDIR_EXHASH,
        /** not drawn yet: being written by other helpers this session */
        XATTR, MKNOD_FIFO, RENAME_EXCHANGE, FALLOCATE
    }

    /** What the CI run draws; the kinds other helpers are adding are switched on when merged. */
    static final EnumSet<Kind> ENABLED = EnumSet.range(Kind.CREATE, Kind.GETATTR);

    /** A workload shape: how names are drawn and how often each kind is. */
    record Profile(String name, int fileNames, int dirNames, int maxDirs, long farOffset, int[] weights) {
        int weight(Kind k) {
            return k.ordinal() < weights.length ? weights[k.ordinal()] : 0;
        }
    }

    //                                        CR MK SY UN RM RN LN RL WR TR RD CM CO UT LK GA
    static final Profile NAMESPACE = new Profile("namespace", 12, 12, 40, 1L << 26,
            new int[] {12, 8, 4, 8, 6, 14, 5, 2, 8, 3, 4, 3, 2, 3, 4, 3});
    static final Profile DATA = new Profile("data", 6, 3, 4, 12L << 30,
            new int[] {4, 1, 0, 2, 1, 2, 1, 0, 30, 12, 16, 1, 1, 2, 1, 3});
    /** Many names in few directories: directories grow past stuffed into exhash (leaf splits, table doubling). */
    static final Profile BIG_DIRS = new Profile("bigdirs", 5000, 3, 4, 1L << 24,
            new int[] {60, 1, 4, 8, 1, 10, 4, 1, 2, 1, 1, 1, 1, 1, 6, 2});

    private static final int RENAME_NOREPLACE = 1;
    /** Entries a directory with our short names holds while still stuffed in its dinode block. */
    private static final int SURELY_STUFFED = 60;

    private final Random rnd;
    private final PosixModel m;
    private final Profile profile;
    private final EnumSet<Kind> enabled;
    private final int totalWeight;
    Gfs2Vfs vfs;
    String context = "";
    final int[] done = new int[Kind.values().length];
    /** Every operation so far, for the failure message of a seed. */
    final List<String> history = new ArrayList<>();

    /** The earlier operations that mention the inode a failure message names ("(inode N)"). */
    String historyOf(String failure) {
        java.util.regex.Matcher mt = java.util.regex.Pattern.compile("\\(inode (\\d+)\\)").matcher(failure);
        if (!mt.find()) {
            return "";
        }
        String ino = mt.group(1);
        java.util.regex.Pattern word = java.util.regex.Pattern.compile("(^|[^0-9])" + ino + "([^0-9]|$)");
        StringBuilder sb = new StringBuilder("earlier operations on inode " + ino + ":\n");
        history.stream().filter(h -> word.matcher(h).find()).skip(Math.max(0,
                history.stream().filter(h -> word.matcher(h).find()).count() - 15)).forEach(h -> sb.append("  ").append(h).append('\n'));
        return sb.toString();
    }
    final int[] failedAsExpected = new int[Kind.values().length];

    RandomOps(Random rnd, PosixModel m, Profile profile, EnumSet<Kind> enabled, Gfs2Vfs vfs) {
        this.rnd = rnd;
        this.m = m;
        this.profile = profile;
        this.enabled = enabled;
        this.vfs = vfs;
        int t = 0;
        for (Kind k : Kind.values()) {
            t += enabled.contains(k) ? profile.weight(k) : 0;
        }
        totalWeight = t;
    }

    @FunctionalInterface
    interface Call<T> {
        T run() throws FsException;
    }

    /** The outcome of one call: its result or its errno. */
    record Outcome<T>(T value, int errno, String message) {
    }

    static <T> Outcome<T> call(Call<T> c) {
        try {
            return new Outcome<>(c.run(), 0, null);
        } catch (FsException e) {
            return new Outcome<>(null, e.errno(), e.getMessage());
        }
    }

    private void expect(Kind k, int want, Outcome<?> got) {
        assertEquals(errnoName(want), errnoName(got.errno()),
                context + ": " + k + " answered " + (got.message() == null ? "success" : got.message()));
        done[k.ordinal()]++;
        if (want != 0) {
            failedAsExpected[k.ordinal()]++;
        }
    }

    static String errnoName(int e) {
        return switch (e) {
            case 0 -> "success";
            case FsException.EPERM -> "EPERM";
            case FsException.ENOENT -> "ENOENT";
            case FsException.EIO -> "EIO";
            case FsException.EEXIST -> "EEXIST";
            case FsException.ENOTDIR -> "ENOTDIR";
            case FsException.EISDIR -> "EISDIR";
            case FsException.EINVAL -> "EINVAL";
            case FsException.ENOSPC -> "ENOSPC";
            case FsException.ENOSYS -> "ENOSYS";
            case FsException.ENOTEMPTY -> "ENOTEMPTY";
            case FsException.ESTALE -> "ESTALE";
            default -> "errno " + e;
        };
    }

    // ---------------------------------------------------------------- drawing

    Kind draw() {
        int x = rnd.nextInt(totalWeight);
        for (Kind k : Kind.values()) {
            if (enabled.contains(k)) {
                x -= profile.weight(k);
                if (x < 0) {
                    return k;
                }
            }
        }
        throw new AssertionError();
    }

    private <T> T pick(List<T> l) {
        return l.get(rnd.nextInt(l.size()));
    }

    /** A directory, now and then a non-directory (ENOTDIR cases). */
    private PosixModel.Node pickParent() {
        if (rnd.nextInt(40) == 0) {
            List<PosixModel.Node> others = new ArrayList<>(m.all(0));
            others.removeIf(PosixModel.Node::isDir);
            if (!others.isEmpty()) {
                return pick(others);
            }
        }
        return pick(m.all(PosixModel.S_IFDIR));
    }

    /** An existing name of {@code dir} more often than not, else one from the pool. */
    private String pickName(PosixModel.Node dir, boolean forDir) {
        if (dir.isDir() && !dir.entries.isEmpty() && rnd.nextInt(5) < 3) {
            List<String> names = new ArrayList<>(dir.entries.keySet());
            return pick(names);
        }
        return freshName(forDir);
    }

    private String freshName(boolean forDir) {
        if (forDir) {
            return "d" + rnd.nextInt(profile.dirNames());
        }
        return profile.fileNames() > 100 ? "entry-" + rnd.nextInt(profile.fileNames()) : "n" + rnd.nextInt(profile.fileNames());
    }

    private PosixModel.Node pickNode(int type) {
        List<PosixModel.Node> l = m.all(type);
        l.removeIf(n -> n.ino == m.root);
        return l.isEmpty() ? null : pick(l);
    }

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    private long uid() {
        return rnd.nextInt(8) == 0 ? 4_294_967_294L : rnd.nextInt(70_000);
    }

    // ---------------------------------------------------------------- one operation

    void step(Kind k) throws FsException {
        switch (k) {
            case CREATE -> create();
            case MKDIR -> mkdir();
            case SYMLINK -> symlink();
            case UNLINK -> unlink();
            case RMDIR, RMDIR_EXHASH -> rmdir(k);
            case RENAME -> rename();
            case LINK -> link();
            case READLINK -> readlink();
            case WRITE -> write();
            case TRUNCATE -> truncate();
            case READ -> read();
            case CHMOD -> chmod();
            case CHOWN -> chown();
            case UTIMES -> utimes();
            case LOOKUP -> lookup();
            case GETATTR -> getattr();
            default -> throw new UnsupportedOperationException(k + " is not modelled yet");
        }
    }

    private void create() {
        PosixModel.Node p = pickParent();
        String name = rnd.nextInt(3) == 0 ? pickName(p, false) : freshName(false);
        int perm = rnd.nextInt(010000);
        long uid = uid();
        long gid = uid();
        context += " create " + p.ino + "/" + name;
        int want = m.expectCreate(p.ino, name);
        Outcome<InodeAttributes> got = call(() -> vfs.mknod(p.ino, b(name), PosixModel.S_IFREG | perm, 0, (int) uid, (int) gid));
        expect(Kind.CREATE, want, got);
        if (want == 0) {
            PosixModel.Node n = m.applyCreate(p.ino, name, got.value().ino(), PosixModel.S_IFREG, perm, uid, gid, null);
            ModelCheck.attrs(context, m, n, got.value());
        }
    }

    private void mkdir() {
        if (m.all(PosixModel.S_IFDIR).size() >= profile.maxDirs()) {
            return;
        }
        PosixModel.Node p = pickParent();
        String name = rnd.nextBoolean() ? freshName(true) : pickName(p, true);
        int perm = rnd.nextInt(010000);
        long uid = uid();
        context += " mkdir " + p.ino + "/" + name;
        int want = m.expectCreate(p.ino, name);
        Outcome<InodeAttributes> got = call(() -> vfs.mkdir(p.ino, b(name), perm, (int) uid, 7));
        expect(Kind.MKDIR, want, got);
        if (want == 0) {
            PosixModel.Node n = m.applyCreate(p.ino, name, got.value().ino(), PosixModel.S_IFDIR, perm, uid, 7, null);
            ModelCheck.attrs(context, m, n, got.value());
        }
    }

    private void symlink() {
        PosixModel.Node p = pickParent();
        String name = pickName(p, false);
        byte[] target = new byte[1 + (rnd.nextInt(10) == 0 ? rnd.nextInt(3000) : rnd.nextInt(60))];
        for (int i = 0; i < target.length; i++) {
            target[i] = (byte) ('a' + rnd.nextInt(26));
        }
        context += " symlink " + p.ino + "/" + name;
        int want = m.expectCreate(p.ino, name);
        Outcome<InodeAttributes> got = call(() -> vfs.symlink(p.ino, b(name), target, 11, 12));
        expect(Kind.SYMLINK, want, got);
        if (want == 0) {
            PosixModel.Node n = m.applyCreate(p.ino, name, got.value().ino(), PosixModel.S_IFLNK, 0777, 11, 12, target);
            ModelCheck.attrs(context, m, n, got.value());
        }
    }

    private void unlink() {
        PosixModel.Node p = pickParent();
        String name = pickName(p, false);
        context += " unlink " + p.ino + "/" + name;
        int want = m.expectUnlink(p.ino, name);
        Outcome<Object> got = call(() -> {
            vfs.unlink(p.ino, b(name));
            return null;
        });
        expect(Kind.UNLINK, want, got);
        if (want == 0) {
            m.applyUnlink(p.ino, name);
        }
    }

    /** Whether removing {@code victim} may answer ENOSYS: an empty directory that may be exhash, while that is off. */
    private boolean mayBeNotImplemented(PosixModel.Node victim) {
        return victim != null && victim.isDir() && victim.maxEntries > SURELY_STUFFED
                && !enabled.contains(Kind.RMDIR_EXHASH);
    }

    private void rmdir(Kind k) {
        PosixModel.Node p = pickParent();
        String name = pickName(p, true);
        context += " rmdir " + p.ino + "/" + name;
        int want = m.expectRmdir(p.ino, name);
        PosixModel.Node victim = p.isDir() ? m.child(p.ino, name) : null;
        Outcome<Object> got = call(() -> {
            vfs.rmdir(p.ino, b(name));
            return null;
        });
        if (want == 0 && got.errno() == FsException.ENOSYS && mayBeNotImplemented(victim)) {
            return;
        }
        expect(k, want, got);
        if (want == 0) {
            m.applyUnlink(p.ino, name);
        }
    }

    private void rename() {
        PosixModel.Node p1;
        String n1;
        PosixModel.Node p2;
        PosixModel.Node dirSrc = rnd.nextInt(8) == 0 ? pickNode(PosixModel.S_IFDIR) : null;
        if (dirSrc != null) {
            // a directory, often into itself or below itself (EINVAL)
            p1 = m.node(dirSrc.parent);
            n1 = nameOf(p1, dirSrc.ino);
            List<PosixModel.Node> below = new ArrayList<>();
            for (PosixModel.Node d : m.all(PosixModel.S_IFDIR)) {
                if (m.isAncestorOrSelf(dirSrc.ino, d.ino)) {
                    below.add(d);
                }
            }
            p2 = rnd.nextBoolean() ? pick(below) : pickParent();
        } else {
            p1 = pickParent();
            n1 = pickName(p1, rnd.nextInt(4) == 0);
            p2 = rnd.nextInt(3) == 0 ? p1 : pickParent();
        }
        String n2 = pickName(p2, rnd.nextInt(4) == 0);
        boolean noReplace = rnd.nextInt(4) == 0;
        context += " rename " + p1.ino + "/" + n1 + " -> " + p2.ino + "/" + n2 + (noReplace ? " NOREPLACE" : "");
        int want = m.expectRename(p1.ino, n1, p2.ino, n2, noReplace);
        PosixModel.Node victim = p2.isDir() ? m.child(p2.ino, n2) : null;
        PosixModel.Node src = p1.isDir() ? m.child(p1.ino, n1) : null;
        Outcome<Object> got = call(() -> {
            vfs.rename(p1.ino, b(n1), p2.ino, b(n2), noReplace ? RENAME_NOREPLACE : 0);
            return null;
        });
        if (want == 0 && got.errno() == FsException.ENOSYS && victim != src && mayBeNotImplemented(victim)) {
            return;
        }
        expect(Kind.RENAME, want, got);
        if (want == 0) {
            if (src.isDir() && p1 != p2) {
                src.mtimeNs = null; // its ".." changed
            }
            m.applyRename(p1.ino, n1, p2.ino, n2);
        }
    }

    private static String nameOf(PosixModel.Node dir, long ino) {
        for (var e : dir.entries.entrySet()) {
            if (e.getValue() == ino) {
                return e.getKey();
            }
        }
        throw new AssertionError("inode " + ino + " not in directory " + dir.ino);
    }

    private void link() {
        PosixModel.Node t = pickNode(rnd.nextInt(10) == 0 ? PosixModel.S_IFDIR : 0);
        if (t == null) {
            return;
        }
        PosixModel.Node p = pickParent();
        String name = pickName(p, false);
        context += " link " + t.ino + " as " + p.ino + "/" + name;
        int want = m.expectLink(t.ino, p.ino, name);
        Outcome<InodeAttributes> got = call(() -> vfs.link(t.ino, p.ino, b(name)));
        expect(Kind.LINK, want, got);
        if (want == 0) {
            m.applyLink(t.ino, p.ino, name);
            ModelCheck.attrs(context, m, t, got.value());
        }
    }

    private void readlink() {
        PosixModel.Node n = pickNode(rnd.nextInt(4) == 0 ? 0 : PosixModel.S_IFLNK);
        if (n == null) {
            return;
        }
        context += " readlink " + n.ino;
        int want = n.type == PosixModel.S_IFLNK ? 0 : FsException.EINVAL;
        Outcome<byte[]> got = call(() -> vfs.readlink(n.ino));
        expect(Kind.READLINK, want, got);
        if (want == 0) {
            assertArrayEquals(n.target, got.value(), context);
        }
    }

    private long offset(PosixModel.Node f) {
        int r = rnd.nextInt(20);
        if (r < 2) {
            return (long) (rnd.nextDouble() * profile.farOffset()); // sparse, far
        }
        if (r < 5) {
            return rnd.nextInt(70_000);
        }
        return f.data.size() == 0 ? 0 : (long) (rnd.nextDouble() * (f.data.size() + 8192));
    }

    private void write() throws FsException {
        PosixModel.Node f = pickNode(PosixModel.S_IFREG);
        if (f == null) {
            return;
        }
        long off = offset(f);
        byte[] data = new byte[rnd.nextInt(6) == 0 ? rnd.nextInt(10) : rnd.nextInt(24_000)];
        rnd.nextBytes(data);
        if (rnd.nextInt(8) == 0) {
            java.util.Arrays.fill(data, (byte) 0); // zeros written are data, not holes
        }
        context += " write " + f.ino + " at " + off + " len " + data.length;
        long fh = vfs.open(f.ino, rnd.nextBoolean() ? 1 : 2);
        try {
            Outcome<Integer> got = call(() -> vfs.write(fh, off, ByteBuffer.wrap(data)));
            expect(Kind.WRITE, 0, got);
            assertEquals(data.length, got.value().intValue(), context);
        } finally {
            vfs.release(fh);
        }
        f.data.write(off, data);
        if (data.length > 0) {
            f.mtimeNs = null;
        }
        if (rnd.nextInt(4) == 0) {
            ModelCheck.attrs(context, m, f, vfs.getattr(f.ino));
        }
    }

    private void truncate() throws FsException {
        PosixModel.Node f = pickNode(rnd.nextInt(10) == 0 ? PosixModel.S_IFDIR : PosixModel.S_IFREG);
        if (f == null) {
            return;
        }
        int r = rnd.nextInt(10);
        long size = r == 0 ? 0 : r < 5 && f.size() > 0 ? (long) (rnd.nextDouble() * f.size())
                : r < 9 ? f.size() + rnd.nextInt(50_000) : (long) (rnd.nextDouble() * profile.farOffset());
        context += " truncate " + f.ino + " to " + size;
        int want = f.isDir() ? FsException.EISDIR : 0;
        Outcome<InodeAttributes> got;
        if (!f.isDir() && rnd.nextInt(10) == 0) {
            context += " (open O_TRUNC)";
            long fh = vfs.open(f.ino, 01000 | 2);
            vfs.release(fh);
            got = new Outcome<>(vfs.getattr(f.ino), 0, null);
            size = 0;
        } else {
            long s = size;
            got = call(() -> vfs.setattr(f.ino, null, null, null, s, null, null));
        }
        expect(Kind.TRUNCATE, want, got);
        if (want == 0) {
            f.data.truncate(size);
            f.mtimeNs = null;
            ModelCheck.attrs(context, m, f, got.value());
        }
    }

    private void read() throws FsException {
        PosixModel.Node f = pickNode(PosixModel.S_IFREG);
        if (f == null) {
            return;
        }
        long off = rnd.nextInt(10) == 0 ? f.size() + rnd.nextInt(100) : offset(f);
        int len = rnd.nextInt(40_000);
        context += " read " + f.ino + " at " + off + " len " + len;
        long fh = vfs.open(f.ino, 0);
        try {
            byte[] got = ModelCheck.vfsRead(vfs, fh, off, len);
            assertArrayEquals(f.data.read(off, len), got, context);
            done[Kind.READ.ordinal()]++;
        } finally {
            vfs.release(fh);
        }
        f.atimeNs = null;
    }

    private void chmod() {
        PosixModel.Node n = pickNode(0);
        if (n == null || n.type == PosixModel.S_IFLNK) {
            return; // Linux has no lchmod
        }
        int perm = rnd.nextInt(010000);
        context += " chmod " + n.ino + " " + Integer.toOctalString(perm);
        Outcome<InodeAttributes> got = call(() -> vfs.setattr(n.ino, perm, null, null, null, null, null));
        expect(Kind.CHMOD, 0, got);
        n.perm = perm;
        ModelCheck.attrs(context, m, n, got.value());
    }

    private void chown() {
        PosixModel.Node n = pickNode(0);
        if (n == null) {
            return;
        }
        Long uid = rnd.nextInt(3) == 0 ? null : uid();
        Long gid = rnd.nextInt(3) == 0 ? null : uid();
        context += " chown " + n.ino + " " + uid + ":" + gid;
        Outcome<InodeAttributes> got = call(() -> vfs.setattr(n.ino, null, uid, gid, null, null, null));
        expect(Kind.CHOWN, 0, got);
        n.uid = uid != null ? uid : n.uid;
        n.gid = gid != null ? gid : n.gid;
        ModelCheck.attrs(context, m, n, got.value());
    }

    private long nanos() {
        long sec = rnd.nextInt(4) == 0 ? rnd.nextInt(100) : 1_000_000_000L + rnd.nextInt(1_000_000_000);
        return sec * 1_000_000_000L + rnd.nextInt(1_000_000_000);
    }

    private void utimes() {
        PosixModel.Node n = rnd.nextInt(10) == 0 ? m.node(m.root) : pickNode(0);
        if (n == null) {
            return;
        }
        Long a = rnd.nextInt(5) == 0 ? null : nanos();
        Long mt = rnd.nextInt(5) == 0 ? null : nanos();
        context += " utimes " + n.ino + " " + a + " " + mt;
        Outcome<InodeAttributes> got = call(() -> vfs.setattr(n.ino, null, null, null, null, a, mt));
        expect(Kind.UTIMES, 0, got);
        if (a != null) {
            n.atimeNs = a;
        }
        if (mt != null) {
            n.mtimeNs = mt;
        }
        ModelCheck.attrs(context, m, n, got.value());
    }

    private void lookup() {
        PosixModel.Node p = pickParent();
        String name = rnd.nextBoolean() ? freshName(rnd.nextBoolean()) : pickName(p, false);
        context += " lookup " + p.ino + "/" + name;
        int want = m.expectLookup(p.ino, name);
        Outcome<InodeAttributes> got = call(() -> vfs.lookup(p.ino, b(name)));
        expect(Kind.LOOKUP, want, got);
        if (want == 0) {
            ModelCheck.attrs(context, m, m.child(p.ino, name), got.value());
        }
    }

    private void getattr() throws FsException {
        PosixModel.Node n = pickNode(0);
        if (n == null) {
            return;
        }
        context += " getattr " + n.ino;
        ModelCheck.attrs(context, m, n, vfs.getattr(n.ino));
        done[Kind.GETATTR.ordinal()]++;
    }
}
