package org.gfs2j.fuse.nativeio;

import java.nio.ByteBuffer;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The few C library calls the FUSE server needs: the device (open/read/write/ioctl/close), mounting
 * as root (mount/umount2), and receiving the device fd from fusermount3 when not root. Deliberately
 * tiny: everything else stays in Java.
 * Buffers passed to read/write must be direct (their address is handed to the kernel).
 */
public interface LibC {
    @SaveError int open(String path, int flags);

    @SaveError int close(int fd);

    @SaveError @ssize_t long read(int fd, ByteBuffer buf, @size_t long count);

    @SaveError @ssize_t long write(int fd, ByteBuffer buf, @size_t long count);

    @SaveError int ioctl(int fd, long request, IntByReference arg);

    @SaveError int mount(String source, String target, String fstype, long flags, String data);

    @SaveError int umount2(String target, int flags);

    // Receiving the /dev/fuse fd from fusermount3 (mounting without root): socketpair, spawn with
    // the socket at fd 3, recvmsg with SCM_RIGHTS, waitpid.
    @SaveError int socketpair(int domain, int type, int protocol, @Out int[] sv);

    @SaveError @ssize_t long recvmsg(int fd, Pointer msg, int flags);

    int posix_spawn_file_actions_init(Pointer actions);

    int posix_spawn_file_actions_adddup2(Pointer actions, int fd, int newfd);

    int posix_spawn_file_actions_destroy(Pointer actions);

    /** Returns an errno (not -1) on failure, as POSIX specifies for posix_spawn. */
    int posix_spawnp(IntByReference pid, String file, Pointer actions, Pointer attrp, String[] argv,
                     String[] envp);

    @SaveError int waitpid(int pid, IntByReference status, int options);
}
