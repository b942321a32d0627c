package org.gfs2j.journal.device;

import java.io.IOException;
import java.nio.ByteBuffer;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * open/pread/pwrite/fdatasync through libc, so that O_DIRECT transfers need only the device's
 * logical-sector alignment (the JDK's O_DIRECT channel insists on the file-store block size,
 * 4096 on devtmpfs, which would rule out 512..2048-byte GFS2 blocks on real devices).
 */
final class NativeIo {
    /** The libc calls used. */
    public interface LibC {
        int open(String path, int flags);

        @ssize_t long pread(int fd, Pointer buf, @size_t long count, @off_t long offset);

        @ssize_t long pwrite(int fd, Pointer buf, @size_t long count, @off_t long offset);

        int fdatasync(int fd);

        int close(int fd);

        String strerror(int errnum);
    }

    static final int O_RDONLY = 0;
    static final int O_RDWR = 2;
    static final int O_CLOEXEC = 02000000;

    private static final LibC LIBC;
    private static final Runtime RUNTIME;

    static {
        LibC lib = null;
        Runtime rt = null;
        try {
            if (System.getProperty("os.name", "").startsWith("Linux")) {
                lib = LibraryLoader.create(LibC.class).load("c");
                rt = Runtime.getRuntime(lib);
            }
        } catch (Throwable t) {
            lib = null;
            rt = null;
        }
        LIBC = lib;
        RUNTIME = rt;
    }

    private NativeIo() {
    }

    static boolean available() {
        return LIBC != null;
    }

    /** O_DIRECT differs between architectures. */
    static int oDirect() {
        String arch = System.getProperty("os.arch", "");
        return arch.equals("aarch64") || arch.startsWith("arm") ? 0200000 : 040000;
    }

    static int open(String path, boolean readOnly) throws IOException {
        int fd = LIBC.open(path, (readOnly ? O_RDONLY : O_RDWR) | oDirect() | O_CLOEXEC);
        if (fd < 0) {
            throw error("open " + path);
        }
        return fd;
    }

    /** One pread into a direct buffer at its position; returns bytes read (0 at end of device). */
    static int pread(int fd, ByteBuffer dst, long offset) throws IOException {
        long n = LIBC.pread(fd, pointer(dst), dst.remaining(), offset);
        if (n < 0) {
            throw error("pread at offset " + offset);
        }
        dst.position(dst.position() + (int) n);
        return (int) n;
    }

    static int pwrite(int fd, ByteBuffer src, long offset) throws IOException {
        long n = LIBC.pwrite(fd, pointer(src), src.remaining(), offset);
        if (n < 0) {
            throw error("pwrite at offset " + offset);
        }
        src.position(src.position() + (int) n);
        return (int) n;
    }

    static void fdatasync(int fd) throws IOException {
        if (LIBC.fdatasync(fd) != 0) {
            throw error("fdatasync");
        }
    }

    static void close(int fd) throws IOException {
        if (LIBC.close(fd) != 0) {
            throw error("close");
        }
    }

    private static Pointer pointer(ByteBuffer buf) {
        if (!buf.isDirect()) {
            throw new IllegalArgumentException("native I/O needs a direct buffer");
        }
        // The pointer is the buffer's base address; advance to its position explicitly.
        Pointer base = Pointer.wrap(RUNTIME, buf.duplicate().position(0).slice());
        return Pointer.wrap(RUNTIME, base.address() + buf.position());
    }

    private static IOException error(String what) {
        int errno = LastError.getLastError(RUNTIME);
        return new IOException(what + ": " + LIBC.strerror(errno) + " (errno " + errno + ")");
    }
}
