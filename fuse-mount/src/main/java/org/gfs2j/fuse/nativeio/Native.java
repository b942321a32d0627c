package org.gfs2j.fuse.nativeio;

import java.nio.ByteBuffer;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.byref.IntByReference;

/**
 * Loads {@link LibC} once and turns its "-1 and errno" convention into {@link NativeException}s.
 */
public final class Native {
    public static final int O_RDWR = 02;
    public static final int O_CLOEXEC = 02000000;
    public static final int MNT_FORCE = 1;
    public static final int MNT_DETACH = 2;
    public static final long MS_NOSUID = 0x2;
    public static final long MS_NODEV = 0x4;
    /** FUSE_DEV_IOC_CLONE = _IOR(229, 0, uint32). */
    public static final long FUSE_DEV_IOC_CLONE = 0x8004E500L;

    private static final class Holder {
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
        static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
    }

    private Native() {
    }

    static LibC libc() {
        return Holder.LIBC;
    }

    static Runtime runtime() {
        return Holder.RUNTIME;
    }

    private static int errno() {
        return Holder.RUNTIME.getLastError();
    }

    public static int open(String path, int flags) throws NativeException {
        int fd = libc().open(path, flags);
        if (fd < 0) {
            throw new NativeException("open " + path, errno());
        }
        return fd;
    }

    public static void close(int fd) {
        libc().close(fd);
    }

    /** One read(2); returns the byte count, or throws with errno (EINTR included, callers retry). */
    public static int read(int fd, ByteBuffer direct, int count) throws NativeException {
        long n = libc().read(fd, direct, count);
        if (n < 0) {
            throw new NativeException("read fd " + fd, errno());
        }
        return (int) n;
    }

    /** One write(2) of {@code count} bytes from the start of {@code direct}. */
    public static int write(int fd, ByteBuffer direct, int count) throws NativeException {
        long n = libc().write(fd, direct, count);
        if (n < 0) {
            throw new NativeException("write fd " + fd, errno());
        }
        return (int) n;
    }

    /** Attaches the fresh fd {@code newFd} to the connection of {@code attachedFd}. */
    public static void cloneFuseFd(int newFd, int attachedFd) throws NativeException {
        IntByReference ref = new IntByReference(attachedFd);
        if (libc().ioctl(newFd, FUSE_DEV_IOC_CLONE, ref) < 0) {
            throw new NativeException("ioctl FUSE_DEV_IOC_CLONE", errno());
        }
    }

    public static void mount(String source, String target, String fstype, long flags, String data)
            throws NativeException {
        if (libc().mount(source, target, fstype, flags, data) < 0) {
            throw new NativeException("mount " + target, errno());
        }
    }

    public static void umount2(String target, int flags) throws NativeException {
        if (libc().umount2(target, flags) < 0) {
            throw new NativeException("umount2 " + target, errno());
        }
    }
}
