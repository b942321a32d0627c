package org.gfs2j.fs.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.gfs2j.fs.vfs.FsException;

/**
 * An in-memory model of POSIX (Linux) file-system semantics, by inode: what every namespace, data
 * and attribute operation must answer (the errno, in the order Linux checks) and what it changes.
 * Inode numbers are the ones the file system under test hands out, so lookups compare directly.
 * Each {@code expectX} method answers the errno (0 = success) without changing anything; each
 * {@code applyX} performs a successful operation.
 */
final class PosixModel {
    static final int S_IFMT = 0170000;
    static final int S_IFDIR = 0040000;
    static final int S_IFREG = 0100000;
    static final int S_IFLNK = 0120000;
    static final int S_IFIFO = 0010000;

    /** One inode. Times are null when an operation changed them to "now" (not predictable). */
    static final class Node {
        final long ino;
        final int type;
        int perm;
        long uid;
        long gid;
        Long atimeNs;
        Long mtimeNs;
        int links;                                       // non-directories: names pointing here
        final SparseBytes data;                          // regular files
        final byte[] target;                             // symlinks
        final TreeMap<String, Long> entries;             // directories, without "." and ".."
        long parent;                                     // directories
        int maxEntries;                                  // directories: the most entries they ever held

        Node(long ino, int type, int perm, long uid, long gid, byte[] target, long parent) {
            this.ino = ino;
            this.type = type;
            this.perm = perm;
            this.uid = uid;
            this.gid = gid;
            this.target = target;
            this.data = type == S_IFREG ? new SparseBytes() : null;
            this.entries = type == S_IFDIR ? new TreeMap<>() : null;
            this.parent = parent;
            this.links = type == S_IFDIR ? 0 : 1;
        }

        boolean isDir() {
            return type == S_IFDIR;
        }

        int mode() {
            return type | perm;
        }

        long size() {
            return type == S_IFREG ? data.size() : type == S_IFLNK ? target.length : -1;
        }
    }

    final long root;
    private final Map<Long, Node> nodes = new HashMap<>();

    PosixModel(long rootIno, int rootPerm, long uid, long gid) {
        root = rootIno;
        nodes.put(rootIno, new Node(rootIno, S_IFDIR, rootPerm, uid, gid, null, rootIno));
    }

    Node node(long ino) {
        return nodes.get(ino);
    }

    Iterable<Node> nodes() {
        return nodes.values();
    }

    int size() {
        return nodes.size();
    }

    long nlink(Node n) {
        if (!n.isDir()) {
            return n.links;
        }
        long subdirs = n.entries.values().stream().filter(i -> nodes.get(i).isDir()).count();
        return 2 + subdirs;
    }

    /** The child named {@code name} in directory {@code dir}, or null. */
    Node child(long dir, String name) {
        Long ino = nodes.get(dir).entries.get(name);
        return ino == null ? null : nodes.get(ino);
    }

    List<Node> all(int type) {
        List<Node> out = new ArrayList<>();
        for (Node n : nodes.values()) {
            if (type == 0 || n.type == type) {
                out.add(n);
            }
        }
        out.sort((a, b) -> Long.compare(a.ino, b.ino));
        return out;
    }

    // ---------------------------------------------------------------- expectations (Linux order)

    int expectLookup(long dir, String name) {
        if (!nodes.get(dir).isDir()) {
            return FsException.ENOTDIR;
        }
        return child(dir, name) == null ? FsException.ENOENT : 0;
    }

    /** create, mkdir, symlink, mknod: the name must be new. */
    int expectCreate(long dir, String name) {
        if (!nodes.get(dir).isDir()) {
            return FsException.ENOTDIR;
        }
        return child(dir, name) != null ? FsException.EEXIST : 0;
    }

    int expectUnlink(long dir, String name) {
        int e = expectLookup(dir, name);
        if (e != 0) {
            return e;
        }
        return child(dir, name).isDir() ? FsException.EISDIR : 0;
    }

    int expectRmdir(long dir, String name) {
        int e = expectLookup(dir, name);
        if (e != 0) {
            return e;
        }
        Node v = child(dir, name);
        if (!v.isDir()) {
            return FsException.ENOTDIR;
        }
        return v.entries.isEmpty() ? 0 : FsException.ENOTEMPTY;
    }

    /** link(2) of {@code ino} as {@code dir/name}: the new name first (EEXIST), then EPERM for directories. */
    int expectLink(long ino, long dir, String name) {
        int e = expectCreate(dir, name);
        if (e != 0) {
            return e;
        }
        return nodes.get(ino).isDir() ? FsException.EPERM : 0;
    }

    /** rename(2)/renameat2 with flags 0 or RENAME_NOREPLACE, in do_renameat2's and vfs_rename's order. */
    int expectRename(long p1, String n1, long p2, String n2, boolean noReplace) {
        if (!nodes.get(p1).isDir() || !nodes.get(p2).isDir()) {
            return FsException.ENOTDIR;
        }
        Node src = child(p1, n1);
        if (src == null) {
            return FsException.ENOENT;
        }
        Node dst = child(p2, n2);
        if (noReplace && dst != null) {
            return FsException.EEXIST;
        }
        if (p1 != p2) {
            if (src.isDir() && isAncestorOrSelf(src.ino, p2)) {
                return FsException.EINVAL; // a directory into itself
            }
            if (dst != null && dst.isDir() && isAncestorOrSelf(dst.ino, p1)) {
                return FsException.ENOTEMPTY; // the target contains the source
            }
        }
        if (dst == null || dst == src) {
            return 0;
        }
        if (src.isDir() && !dst.isDir()) {
            return FsException.ENOTDIR;
        }
        if (!src.isDir() && dst.isDir()) {
            return FsException.EISDIR;
        }
        if (dst.isDir() && !dst.entries.isEmpty()) {
            return FsException.ENOTEMPTY;
        }
        return 0;
    }

    boolean isAncestorOrSelf(long ancestor, long dir) {
        long cur = dir;
        while (true) {
            if (cur == ancestor) {
                return true;
            }
            if (cur == root) {
                return false;
            }
            cur = nodes.get(cur).parent;
        }
    }

    // ---------------------------------------------------------------- changes

    Node applyCreate(long dir, String name, long ino, int type, int perm, long uid, long gid, byte[] target) {
        Node p = nodes.get(dir);
        Node n = new Node(ino, type, perm, uid, gid, target, dir);
        if (nodes.put(ino, n) != null) {
            throw new AssertionError("inode " + ino + " handed out while still in use");
        }
        addEntry(p, name, ino);
        return n;
    }

    private void addEntry(Node dir, String name, long ino) {
        dir.entries.put(name, ino);
        dir.maxEntries = Math.max(dir.maxEntries, dir.entries.size());
        dir.mtimeNs = null;
    }

    private void dropName(Node dir, String name) {
        long ino = dir.entries.remove(name);
        dir.mtimeNs = null;
        Node n = nodes.get(ino);
        if (n.isDir()) {
            nodes.remove(ino);
        } else if (--n.links == 0) {
            nodes.remove(ino);
        }
    }

    void applyUnlink(long dir, String name) {
        dropName(nodes.get(dir), name);
    }

    void applyLink(long ino, long dir, String name) {
        nodes.get(ino).links++;
        addEntry(nodes.get(dir), name, ino);
    }

    void applyRename(long p1, String n1, long p2, String n2) {
        Node a = nodes.get(p1);
        Node b = nodes.get(p2);
        Node src = child(p1, n1);
        Node dst = child(p2, n2);
        if (dst == src) {
            return;
        }
        if (dst != null) {
            dropName(b, n2);
        }
        a.entries.remove(n1);
        a.mtimeNs = null;
        addEntry(b, n2, src.ino);
        if (src.isDir()) {
            src.parent = p2;
        }
    }

    /** Every path below root (directories end with '/' only in the recursion) → inode. */
    TreeMap<String, Long> paths() {
        TreeMap<String, Long> out = new TreeMap<>();
        walk(root, "", out);
        return out;
    }

    private void walk(long dir, String prefix, TreeMap<String, Long> out) {
        for (var e : nodes.get(dir).entries.entrySet()) {
            String p = prefix + "/" + e.getKey();
            out.put(p, e.getValue());
            if (nodes.get(e.getValue()).isDir()) {
                walk(e.getValue(), p, out);
            }
        }
    }
}
