package org.gfs2j.fuse.session;

/**
 * How to mount: names shown in /proc/mounts, number of worker threads (each on its own cloned
 * /dev/fuse descriptor), request size, background request limit, and the kernel-side options.
 * Immutable; use the {@code with...} methods on {@link #defaults()}.
 *
 * @param fsName         first column of /proc/mounts (e.g. the device path)
 * @param subtype        fstype becomes {@code fuse.<subtype>}
 * @param workers        reader/handler threads (at least 2: one must stay free while a
 *                       notification makes the kernel write back dirty pages)
 * @param maxWrite       largest WRITE/READ payload (1 MiB = 256 pages, the kernel's default limit)
 * @param maxBackground  background requests in flight (readahead, writeback)
 * @param posixAcl       negotiate FUSE_POSIX_ACL (+ DONT_MASK): the kernel enforces ACLs
 * @param exportSupport  negotiate EXPORT_SUPPORT (the file system must answer LOOKUP "..") instead
 *                       of NO_EXPORT_SUPPORT
 * @param allowOther     let every user in (a shared cluster mount needs this)
 * @param readOnly       MS_RDONLY
 */
public record MountOptions(String fsName, String subtype, int workers, int maxWrite, int maxBackground,
                           boolean posixAcl, boolean exportSupport, boolean allowOther, boolean readOnly) {
    public MountOptions {
        if (workers < 2) {
            throw new IllegalArgumentException("workers must be at least 2, was " + workers);
        }
        if (maxWrite < 4096 || maxWrite > (1 << 20) || maxWrite % 4096 != 0) {
            throw new IllegalArgumentException("maxWrite must be a multiple of 4096 in 4096..1048576, was " + maxWrite);
        }
        if (maxBackground < 1 || maxBackground > 65535) {
            throw new IllegalArgumentException("maxBackground must be in 1..65535, was " + maxBackground);
        }
        for (String s : new String[] {fsName, subtype}) {
            if (s == null || s.isEmpty() || s.indexOf(',') >= 0 || s.indexOf(' ') >= 0) {
                throw new IllegalArgumentException("fsName/subtype must be non-empty without ',' or ' ': " + s);
            }
        }
    }

    public static MountOptions defaults() {
        // 16 workers: a request blocked on the device (a cold read) holds its worker, and the kernel
        // has as many requests in flight as applications issue (fio's queue depth 16, readahead in
        // the background); with 4, a fifth concurrent read waited for a worker, not for the disk.
        return new MountOptions("gfs2j", "gfs2j", 16, 1 << 20, 64, true, false, true, false);
    }

    public MountOptions withFsName(String v) {
        return new MountOptions(v, subtype, workers, maxWrite, maxBackground, posixAcl, exportSupport, allowOther, readOnly);
    }

    public MountOptions withSubtype(String v) {
        return new MountOptions(fsName, v, workers, maxWrite, maxBackground, posixAcl, exportSupport, allowOther, readOnly);
    }

    public MountOptions withWorkers(int v) {
        return new MountOptions(fsName, subtype, v, maxWrite, maxBackground, posixAcl, exportSupport, allowOther, readOnly);
    }

    public MountOptions withMaxWrite(int v) {
        return new MountOptions(fsName, subtype, workers, v, maxBackground, posixAcl, exportSupport, allowOther, readOnly);
    }

    public MountOptions withPosixAcl(boolean v) {
        return new MountOptions(fsName, subtype, workers, maxWrite, maxBackground, v, exportSupport, allowOther, readOnly);
    }

    public MountOptions withExportSupport(boolean v) {
        return new MountOptions(fsName, subtype, workers, maxWrite, maxBackground, posixAcl, v, allowOther, readOnly);
    }

    public MountOptions withAllowOther(boolean v) {
        return new MountOptions(fsName, subtype, workers, maxWrite, maxBackground, posixAcl, exportSupport, v, readOnly);
    }

    public MountOptions withReadOnly(boolean v) {
        return new MountOptions(fsName, subtype, workers, maxWrite, maxBackground, posixAcl, exportSupport, allowOther, v);
    }

    /** The data string for mount(2) (after fd/rootmode/user_id/group_id). */
    String kernelOptions(int fd, int uid, int gid) {
        StringBuilder sb = new StringBuilder()
                .append("fd=").append(fd)
                .append(",rootmode=40000")
                .append(",user_id=").append(uid)
                .append(",group_id=").append(gid)
                .append(",default_permissions");
        if (allowOther) {
            sb.append(",allow_other");
        }
        return sb.toString();
    }

    /** The -o string for fusermount3 (it adds fd, rootmode, user_id, group_id itself). */
    String fusermountOptions() {
        StringBuilder sb = new StringBuilder("fsname=").append(fsName).append(",subtype=").append(subtype)
                .append(",default_permissions,nosuid,nodev");
        if (allowOther) {
            sb.append(",allow_other");
        }
        if (readOnly) {
            sb.append(",ro");
        }
        return sb.toString();
    }

    /** Read buffer per worker: the largest WRITE plus headers (and always room for a 64 KiB xattr). */
    int requestBufferSize() {
        return Math.max(maxWrite, 65536) + 4096;
    }
}
