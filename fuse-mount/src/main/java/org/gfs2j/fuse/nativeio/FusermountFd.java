package org.gfs2j.fuse.nativeio;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.byref.IntByReference;

/**
 * Mounts through the setuid helper fusermount3 and receives the /dev/fuse descriptor it opened
 * (spec §1.3): a UNIX socket pair, the helper spawned with one end at fd 3 and
 * {@code _FUSE_COMMFD=3}, then one message carrying the fd as SCM_RIGHTS.
 * <pre>
 * struct msghdr (56): 0 msg_name | 8 msg_namelen | 16 msg_iov | 24 msg_iovlen | 32 msg_control
 *                     | 40 msg_controllen | 48 msg_flags
 * struct iovec (16):  0 iov_base | 8 iov_len
 * struct cmsghdr:     0 cmsg_len u64 | 8 cmsg_level i32 | 12 cmsg_type i32 | 16 data (one int fd)
 * </pre>
 */
public final class FusermountFd {
    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM = 1;
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    private static final int EINTR = 4;

    private FusermountFd() {
    }

    /**
     * Runs {@code fusermount3 -o options -- mountpoint} and returns the mounted /dev/fuse fd.
     * @throws NativeException with the helper's exit status when it refused (its reason is on stderr)
     */
    public static int mount(String fusermount, String mountpoint, String options) throws NativeException {
        LibC c = Native.libc();
        Runtime rt = Native.runtime();
        int[] sv = new int[2];
        if (c.socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
            throw new NativeException("socketpair", rt.getLastError());
        }
        int childEnd = sv[0];
        int ourEnd = sv[1];
        try {
            int pid = spawn(c, rt, fusermount, childEnd,
                    new String[] {fusermount, "-o", options, "--", mountpoint});
            Native.close(childEnd);
            childEnd = -1;
            int fd = receiveFd(c, rt, ourEnd);
            int status = waitFor(c, rt, pid);
            if (fd < 0) {
                throw new NativeException(fusermount + " exited with status " + status
                        + " without sending a descriptor (its reason is on stderr)");
            }
            return fd;
        } finally {
            if (childEnd >= 0) {
                Native.close(childEnd);
            }
            Native.close(ourEnd);
        }
    }

    private static int spawn(LibC c, Runtime rt, String file, int socketFd, String[] args) throws NativeException {
        Pointer actions = Memory.allocateDirect(rt, 256, true);
        c.posix_spawn_file_actions_init(actions);
        try {
            // dup2 onto fd 3 also clears close-on-exec for the copy; every other fd stays closed
            c.posix_spawn_file_actions_adddup2(actions, socketFd, 3);
            List<String> env = new ArrayList<>();
            for (Map.Entry<String, String> e : System.getenv().entrySet()) {
                if (!e.getKey().startsWith("_FUSE_")) {
                    env.add(e.getKey() + "=" + e.getValue());
                }
            }
            env.add("_FUSE_COMMFD=3");
            String[] argv = new String[args.length + 1];
            System.arraycopy(args, 0, argv, 0, args.length);
            String[] envp = env.toArray(new String[env.size() + 1]);
            IntByReference pid = new IntByReference();
            int err = c.posix_spawnp(pid, file, actions, null, argv, envp);
            if (err != 0) {
                throw new NativeException("spawn " + file, err);
            }
            return pid.getValue();
        } finally {
            c.posix_spawn_file_actions_destroy(actions);
        }
    }

    /** One recvmsg; the fd from the SCM_RIGHTS control message, or -1 at EOF (the helper failed). */
    private static int receiveFd(LibC c, Runtime rt, int sock) throws NativeException {
        Pointer data = Memory.allocateDirect(rt, 8, true);
        Pointer iov = Memory.allocateDirect(rt, 16, true);
        Pointer control = Memory.allocateDirect(rt, 64, true);
        Pointer msg = Memory.allocateDirect(rt, 56, true);
        iov.putAddress(0, data.address());
        iov.putLong(8, 1);
        msg.putAddress(16, iov.address());
        msg.putLong(24, 1);
        msg.putAddress(32, control.address());
        msg.putLong(40, 64);
        long n;
        do {
            n = c.recvmsg(sock, msg, 0);
        } while (n < 0 && rt.getLastError() == EINTR);
        if (n < 0) {
            throw new NativeException("recvmsg from fusermount3", rt.getLastError());
        }
        if (n == 0 || msg.getLong(40) < 20) {
            return -1;
        }
        if (control.getInt(8) != SOL_SOCKET || control.getInt(12) != SCM_RIGHTS) {
            throw new NativeException("fusermount3 sent an unexpected control message (level "
                    + control.getInt(8) + ", type " + control.getInt(12) + ")");
        }
        return control.getInt(16);
    }

    private static int waitFor(LibC c, Runtime rt, int pid) throws NativeException {
        IntByReference status = new IntByReference();
        while (c.waitpid(pid, status, 0) < 0) {
            if (rt.getLastError() != EINTR) {
                throw new NativeException("waitpid fusermount3", rt.getLastError());
            }
        }
        int s = status.getValue();
        return (s & 0x7f) == 0 ? (s >> 8) & 0xff : 128 + (s & 0x7f);
    }
}
