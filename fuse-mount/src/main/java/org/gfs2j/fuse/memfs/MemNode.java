package org.gfs2j.fuse.memfs;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import org.gfs2j.fuse.protocol.Fuse;

/** One inode of {@link MemFileSystem}. Guarded by the file system's lock. */
final class MemNode {
    /** A name in a directory with its stable readdir cookie. */
    record DirEntry(String name, long nodeid, long cookie) {
    }

    final long id;
    int mode;
    int uid;
    int gid;
    int nlink;
    int rdev;
    /** Written by readers too (under the shared lock). */
    volatile long atime;
    long mtime;
    long ctime;
    final Map<String, byte[]> xattrs = new LinkedHashMap<>();
    /** The kernel holds lookup references (cleared by forget). */
    volatile boolean referenced;
    int openHandles;

    // directories
    long parent;
    final TreeMap<Long, DirEntry> byCookie;
    final Map<String, DirEntry> byName;
    long nextCookie = 3; // 1 = ".", 2 = ".."

    // regular files
    final SparseData data;

    // symlinks
    byte[] target;

    MemNode(long id, int mode, long now, SparseData.Usage usage) {
        this.id = id;
        this.mode = mode;
        this.atime = now;
        this.mtime = now;
        this.ctime = now;
        boolean dir = isDir();
        this.byCookie = dir ? new TreeMap<>() : null;
        this.byName = dir ? new HashMap<>() : null;
        this.data = (mode & Fuse.S_IFMT) == Fuse.S_IFREG ? new SparseData(usage) : null;
    }

    int type() {
        return mode & Fuse.S_IFMT;
    }

    boolean isDir() {
        return type() == Fuse.S_IFDIR;
    }

    boolean isRegular() {
        return type() == Fuse.S_IFREG;
    }

    long size() {
        if (data != null) {
            return data.size();
        }
        if (target != null) {
            return target.length;
        }
        return isDir() ? 4096 : 0;
    }

    void addEntry(String name, long nodeid) {
        DirEntry e = new DirEntry(name, nodeid, nextCookie++);
        byName.put(name, e);
        byCookie.put(e.cookie(), e);
    }

    DirEntry removeEntry(String name) {
        DirEntry e = byName.remove(name);
        if (e != null) {
            byCookie.remove(e.cookie());
        }
        return e;
    }

    /** Points an existing name at another node, keeping its cookie (used by RENAME_EXCHANGE). */
    void retarget(String name, long nodeid) {
        DirEntry old = byName.get(name);
        DirEntry e = new DirEntry(name, nodeid, old.cookie());
        byName.put(name, e);
        byCookie.put(e.cookie(), e);
    }
}
