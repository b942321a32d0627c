package org.gfs2j.fuse.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.gfs2j.fuse.protocol.Fuse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The in-memory file system mounted through the kernel, exercised with Java file APIs and shell
 * tools. One mount serves the whole class (each test works in its own directory).
 */
class MountedFileSystemTest {
    private static MountFixture m;

    @BeforeAll
    static void mount() throws IOException {
        m = MountFixture.mount();
    }

    @AfterAll
    static void unmount() throws IOException {
        if (m != null) {
            m.close();
            assertFalse(FuseMount.isMountPoint(m.dir), "still mounted after close");
        }
    }

    private static Path dir(String name) throws IOException {
        return Files.createDirectory(m.path(name));
    }

    private static MountFixture.Result sh(String script) throws IOException, InterruptedException {
        return MountFixture.sh("cd '" + m.dir + "' && " + script);
    }

    private static void ok(MountFixture.Result r) {
        assertEquals(0, r.exit(), r.out());
    }

    private static String python(String code) {
        return "python3 -c '" + code.replace("'", "'\\''") + "'";
    }

    @Test
    void createWriteReadAppend() throws Exception {
        Path d = dir("rw");
        Path f = d.resolve("file");
        Files.writeString(f, "hello");
        Files.writeString(f, " world", StandardOpenOption.APPEND);
        assertEquals("hello world", Files.readString(f));
        ok(sh("echo -n '!' >> rw/file"));
        assertEquals("hello world!", Files.readString(f));
        Files.writeString(f, "x", StandardOpenOption.TRUNCATE_EXISTING);
        assertEquals("x", Files.readString(f));
        assertEquals(1, Files.size(f));
        // 4 MiB of random data through 1 MiB requests, read back intact
        byte[] big = new byte[4 << 20];
        new Random(7).nextBytes(big);
        Path bf = d.resolve("big");
        Files.write(bf, big);
        assertArrayEquals(big, Files.readAllBytes(bf));
        ok(sh("dd if=/dev/zero of=rw/dd bs=1M count=2 oflag=direct status=none"));
        assertEquals(1 << 20, m.fs.largestWrite(), "1 MiB WRITE requests (BIG_WRITES + MAX_PAGES)");
        try (FileChannel ch = FileChannel.open(bf, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap("PATCH".getBytes(StandardCharsets.US_ASCII)), 3_000_000);
            ByteBuffer back = ByteBuffer.allocate(5);
            ch.read(back, 3_000_000);
            assertEquals("PATCH", new String(back.array(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void directoriesAndListing() throws Exception {
        Path d = dir("dirs");
        Path sub = Files.createDirectory(d.resolve("sub"));
        Files.writeString(sub.resolve("f"), "x");
        assertThrows(DirectoryNotEmptyException.class, () -> Files.delete(sub));
        MountFixture.Result r = sh("rmdir dirs/sub");
        assertNotEquals(0, r.exit());
        assertTrue(r.out().contains("not empty"), r.out());
        Files.delete(sub.resolve("f"));
        Files.delete(sub);
        assertFalse(Files.exists(sub));
        Set<String> want = new TreeSet<>();
        for (int i = 0; i < 300; i++) {
            String name = "entry-" + i + "-" + "x".repeat(i % 50);
            Files.createFile(d.resolve(name));
            want.add(name);
        }
        try (Stream<Path> s = Files.list(d)) {
            assertEquals(want, s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new)));
        }
        ok(sh("test $(ls -a dirs | wc -l) -eq 302"));
        assertEquals(2 + 0, (int) (Integer) Files.getAttribute(d, "unix:nlink"), "no subdirectories left");
    }

    @Test
    void renameWithFlags() throws Exception {
        Path d = dir("ren");
        Files.writeString(d.resolve("a"), "A");
        Files.writeString(d.resolve("b"), "B");
        Files.createDirectory(d.resolve("dir"));
        String renameat2 = "import ctypes,os,sys\n"
                + "libc=ctypes.CDLL(None,use_errno=True)\n"
                + "r=libc.renameat2(-100,sys.argv[1].encode(),-100,sys.argv[2].encode(),int(sys.argv[3]))\n"
                + "e=ctypes.get_errno()\n"
                + "print(os.strerror(e) if r else 'ok')\n"
                + "sys.exit(e if r else 0)\n";
        Files.writeString(d.resolve("renameat2.py"), renameat2);
        // RENAME_NOREPLACE onto an existing name: EEXIST
        MountFixture.Result r = sh("python3 ren/renameat2.py ren/a ren/b 1");
        assertEquals(17, r.exit(), r.out());
        // RENAME_EXCHANGE swaps atomically
        ok(sh("python3 ren/renameat2.py ren/a ren/b 2"));
        assertEquals("B", Files.readString(d.resolve("a")));
        assertEquals("A", Files.readString(d.resolve("b")));
        // RENAME_NOREPLACE onto a free name works
        ok(sh("python3 ren/renameat2.py ren/a ren/c 1"));
        assertFalse(Files.exists(d.resolve("a")));
        assertEquals("B", Files.readString(d.resolve("c")));
        // EXCHANGE a file with a directory
        ok(sh("python3 ren/renameat2.py ren/c ren/dir 2"));
        assertTrue(Files.isDirectory(d.resolve("c")));
        assertEquals("B", Files.readString(d.resolve("dir")));
        // plain rename replaces; directory into its own subtree fails
        Files.move(d.resolve("dir"), d.resolve("b"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertEquals("B", Files.readString(d.resolve("b")));
        Files.createDirectory(d.resolve("c/inner"));
        assertNotEquals(0, sh("mv ren/c ren/c/inner/").exit());
        Files.move(d.resolve("c"), d.resolve("moved"));
        assertTrue(Files.isDirectory(d.resolve("moved/inner")));
        assertEquals(3, (int) (Integer) Files.getAttribute(d.resolve("moved"), "unix:nlink"));
    }

    @Test
    void hardLinksAndSymlinks() throws Exception {
        Path d = dir("links");
        Path f = d.resolve("f");
        Files.writeString(f, "data");
        Path h = Files.createLink(d.resolve("h"), f);
        assertEquals(2, (int) (Integer) Files.getAttribute(f, "unix:nlink"));
        assertEquals(Files.getAttribute(f, "unix:ino"), Files.getAttribute(h, "unix:ino"));
        Files.writeString(h, "more", StandardOpenOption.APPEND);
        assertEquals("datamore", Files.readString(f));
        Files.delete(f);
        assertEquals("datamore", Files.readString(h));
        assertEquals(1, (int) (Integer) Files.getAttribute(h, "unix:nlink"));

        Path s = Files.createSymbolicLink(d.resolve("s"), Path.of("h"));
        assertEquals(Path.of("h"), Files.readSymbolicLink(s));
        assertEquals("datamore", Files.readString(s));
        assertTrue(Files.isSymbolicLink(s));
        Path dangling = Files.createSymbolicLink(d.resolve("dangling"), Path.of("/nonexistent/x"));
        assertFalse(Files.exists(dangling));
        ok(sh("test \"$(readlink links/dangling)\" = /nonexistent/x"));
        // special files
        ok(sh("mkfifo links/fifo && mknod links/null c 1 3 && test -p links/fifo && test -c links/null"
                + " && test \"$(stat -c %t:%T links/null)\" = 1:3"));
    }

    @Test
    void extendedAttributes() throws Exception {
        dir("xattr");
        ok(sh("touch xattr/f && setfattr -n user.color -v blue xattr/f && setfattr -n user.size -v 42 xattr/f"));
        MountFixture.Result r = sh("getfattr -d xattr/f");
        ok(r);
        assertTrue(r.out().contains("user.color=\"blue\""), r.out());
        assertTrue(r.out().contains("user.size=\"42\""), r.out());
        ok(sh("setfattr -x user.color xattr/f"));
        r = sh("getfattr -n user.color xattr/f");
        assertNotEquals(0, r.exit());
        assertTrue(r.out().contains("No such attribute"), r.out());
        // a large value (size probing + full read)
        ok(sh("setfattr -n user.big -v 0x" + "ab".repeat(10000) + " xattr/f"));
        r = sh("getfattr -e hex -n user.big xattr/f");
        ok(r);
        assertTrue(r.out().contains("ab".repeat(10000)), "large value returned");
        Path f = m.path("xattr/f");
        java.nio.file.attribute.UserDefinedFileAttributeView v =
                Files.getFileAttributeView(f, java.nio.file.attribute.UserDefinedFileAttributeView.class);
        v.write("java", ByteBuffer.wrap(new byte[] {1, 2, 3}));
        assertTrue(v.list().containsAll(List.of("java", "size", "big")), v.list().toString());
    }

    @Test
    void posixAclIsEnforcedForAnotherUser() throws Exception {
        dir("acl");
        ok(sh("echo secret > acl/f && chmod 0600 acl/f"));
        String asNobody = "setpriv --reuid=65534 --regid=65534 --clear-groups cat acl/f";
        MountFixture.Result denied = sh(asNobody);
        assertNotEquals(0, denied.exit(), denied.out());
        assertTrue(denied.out().contains("Permission denied"), denied.out());
        ok(sh("setfacl -m u:65534:r acl/f"));
        MountFixture.Result allowed = sh(asNobody);
        assertEquals(0, allowed.exit(), allowed.out());
        assertEquals("secret\n", allowed.out());
        // mode group bits now show the ACL mask
        ok(sh("test \"$(stat -c %a acl/f)\" = 640"));
        MountFixture.Result acl = sh("getfacl -cn acl/f");
        assertTrue(acl.out().contains("user:65534:r--"), acl.out());
        // chmod rewrites the mask: access is denied again
        ok(sh("chmod 0600 acl/f"));
        assertNotEquals(0, sh(asNobody).exit());
        // default ACL on a directory is inherited by new files (umask not applied)
        ok(sh("mkdir acl/d && setfacl -d -m u:65534:rw acl/d && (umask 077; echo new > acl/d/g)"));
        MountFixture.Result inherited = sh("getfacl -cn acl/d/g");
        assertTrue(inherited.out().contains("user:65534:rw-"), inherited.out());
        ok(sh("setpriv --reuid=65534 --regid=65534 --clear-groups cat acl/d/g"));
    }

    @Test
    void statfs() throws Exception {
        MountFixture.Result r = sh("stat -f -c '%S %b %l %c' .");
        ok(r);
        String[] f = r.out().trim().split(" ");
        assertEquals("4096", f[0]);
        assertEquals(String.valueOf((1L << 30) / 4096), f[1]);
        assertEquals("255", f[2]);
        assertEquals(String.valueOf(1 << 20), f[3]);
        ok(sh("test \"$(stat -f -c %T .)\" = fuseblk -o \"$(stat -f -c %t .)\" = 65735546"));
    }

    /** Starts a helper that prints one line when it holds its lock and exits when stdin closes. */
    private static Process holder(String script) throws IOException {
        Process p = new ProcessBuilder("/bin/bash", "-c", "cd '" + m.dir + "' && " + script)
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertEquals("locked", line, "lock holder did not start");
        return p;
    }

    private static void release(Process p) throws Exception {
        p.getOutputStream().close();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "holder did not exit");
    }

    @Test
    void flockAcrossProcesses() throws Exception {
        dir("flock");
        ok(sh("touch flock/f"));
        Process p = holder("flock -x flock/f -c 'echo locked; cat >/dev/null'");
        try {
            assertEquals(1, sh("flock -n flock/f true").exit(), "exclusive flock held by another process");
            assertEquals(1, sh("flock -n -s flock/f true").exit(), "shared blocked by exclusive");
        } finally {
            release(p);
        }
        ok(sh("flock -n flock/f true"));
        Process s = holder("flock -s flock/f -c 'echo locked; cat >/dev/null'");
        try {
            ok(sh("flock -n -s flock/f true"));
            assertEquals(1, sh("flock -n -x flock/f true").exit());
        } finally {
            release(s);
        }
    }

    @Test
    void posixLocksAcrossProcesses() throws Exception {
        dir("fcntl");
        ok(sh("touch fcntl/f"));
        Process p = holder(python("import fcntl,sys\n"
                + "f=open(\"fcntl/f\",\"r+\")\n"
                + "fcntl.lockf(f,fcntl.LOCK_EX,10,0)\n"
                + "print(\"locked\",flush=True)\n"
                + "sys.stdin.read()\n"));
        try {
            String check = python("import fcntl,os,struct,sys\n"
                    + "f=open(\"fcntl/f\",\"r+\")\n"
                    + "try:\n"
                    + "  fcntl.lockf(f,fcntl.LOCK_EX|fcntl.LOCK_NB,5,2)\n"
                    + "  print(\"overlap granted\"); sys.exit(1)\n"
                    + "except OSError as e:\n"
                    + "  print(\"overlap refused\", e.errno)\n"
                    + "fcntl.lockf(f,fcntl.LOCK_EX|fcntl.LOCK_NB,10,10)\n"
                    + "q=struct.pack(\"hhqqi\",fcntl.F_WRLCK,0,0,5,0)\n"
                    + "r=struct.unpack(\"hhqqi\",fcntl.fcntl(f,fcntl.F_GETLK,q))\n"
                    + "print(\"getlk\",r[0],r[2],r[3],r[4])\n");
            MountFixture.Result r = sh(check);
            ok(r);
            assertTrue(r.out().contains("overlap refused 11"), r.out());
            // F_GETLK reports the holder's write lock over bytes 0..9 and its pid
            assertTrue(r.out().contains("getlk " + Fuse.F_WRLCK + " 0 10 " + p.pid()), r.out() + " pid " + p.pid());
        } finally {
            release(p);
        }
        ok(sh(python("import fcntl\nf=open(\"fcntl/f\",\"r+\")\nfcntl.lockf(f,fcntl.LOCK_EX|fcntl.LOCK_NB,0,0)\n")));
    }

    @Test
    void ofdLocksEndWithTheOpenFile() throws Exception {
        dir("ofd");
        ok(sh("touch ofd/f"));
        String lockAndReport = "import fcntl,struct,sys\n"
                + "f=open(\"ofd/f\",\"r+\")\n"
                + "try:\n"
                + "  fcntl.fcntl(f,fcntl.F_OFD_SETLK,struct.pack(\"hhqqi\",fcntl.F_WRLCK,0,0,0,0))\n"
                + "  print(\"got\")\n"
                + "except OSError as e:\n"
                + "  print(\"busy\", e.errno)\n";
        Process p = holder(python("import fcntl,struct,sys\n"
                + "f=open(\"ofd/f\",\"r+\")\n"
                + "fcntl.fcntl(f,fcntl.F_OFD_SETLK,struct.pack(\"hhqqi\",fcntl.F_WRLCK,0,0,0,0))\n"
                + "print(\"locked\",flush=True)\n"
                + "sys.stdin.read()\n"));
        try {
            assertEquals("busy 11", sh(python(lockAndReport)).out().trim());
        } finally {
            release(p);
        }
        // the holder's open file is gone: its OFD lock goes with the (asynchronous) RELEASE
        String result = "";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!result.equals("got") && System.nanoTime() < deadline) {
            result = sh(python(lockAndReport)).out().trim();
        }
        assertEquals("got", result);
    }

    @Test
    void blockedLockWaiterCanBeKilled() throws Exception {
        dir("intr");
        ok(sh("touch intr/f"));
        Process p = holder("flock -x intr/f -c 'echo locked; cat >/dev/null'");
        try {
            // let requests of the holder's set-up finish first: one still in flight when counted
            // and done after the SETLKW arrived would hide it
            long quiet = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (m.session.dispatcher().inFlightRequests() > 0 && System.nanoTime() < quiet) {
                Thread.onSpinWait();
            }
            int before = m.session.dispatcher().inFlightRequests();
            Process waiter = new ProcessBuilder("flock", "-x", m.dir.resolve("intr/f").toString(), "true").start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (m.session.dispatcher().inFlightRequests() <= before && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertTrue(m.session.dispatcher().inFlightRequests() > before, "SETLKW never arrived");
            assertTrue(waiter.isAlive());
            waiter.destroyForcibly(); // SIGKILL: the kernel sends INTERRUPT; the wait must end with EINTR
            assertTrue(waiter.waitFor(10, TimeUnit.SECONDS), "waiter stuck in an uninterruptible lock wait");
        } finally {
            release(p);
        }
    }

    @Test
    void fallocateAndSeekHole() throws Exception {
        dir("sparse");
        ok(sh("fallocate -l 1M sparse/pre && test $(stat -c %s sparse/pre) -eq 1048576"
                + " && test $(stat -c %b sparse/pre) -ge 2048"));
        String seek = python("import os\n"
                + "fd=os.open(\"sparse/s\",os.O_RDWR|os.O_CREAT,0o644)\n"
                + "os.pwrite(fd,b\"x\",1048576+5)\n"
                + "print(os.lseek(fd,0,os.SEEK_DATA), os.lseek(fd,0,os.SEEK_HOLE), os.lseek(fd,1048576,os.SEEK_HOLE))\n"
                + "try:\n"
                + "  os.lseek(fd,2000000,os.SEEK_DATA)\n"
                + "except OSError as e:\n"
                + "  print(\"enxio\", e.errno)\n"
                + "print(os.pread(fd,4,1048576+4))\n");
        MountFixture.Result r = sh(seek);
        ok(r);
        assertTrue(r.out().startsWith("1048576 0 1048582\n"), r.out());
        assertTrue(r.out().contains("enxio 6"), r.out());
        assertTrue(r.out().contains("b'\\x00x'"), r.out());
        // punch a hole into preallocated space: reads zeros, blocks released, size kept
        ok(sh("printf 'abcdefgh' | dd of=sparse/pre conv=notrunc status=none"
                + " && fallocate -p -o 0 -l 65536 sparse/pre"
                + " && test $(stat -c %s sparse/pre) -eq 1048576"
                + " && test \"$(head -c 8 sparse/pre | od -An -tx1 | tr -d ' ')\" = 0000000000000000"));
        MountFixture.Result hole = sh(python("import os\nfd=os.open(\"sparse/pre\",os.O_RDONLY)\n"
                + "print(os.lseek(fd,0,os.SEEK_HOLE), os.lseek(fd,0,os.SEEK_DATA))\n"));
        ok(hole);
        assertEquals("0 65536", hole.out().trim());
    }

    @Test
    void sharedMmapWriteIsSeenByAnotherProcessAndReachesTheServer() throws Exception {
        dir("mmap");
        ok(sh("head -c 8192 /dev/zero > mmap/f"));
        Process writer = holder(python("import mmap,sys\n"
                + "f=open(\"mmap/f\",\"r+b\")\n"
                + "mm=mmap.mmap(f.fileno(),8192,mmap.MAP_SHARED)\n"
                + "mm[100:105]=b\"HELLO\"\n"
                + "print(\"locked\",flush=True)\n"
                + "sys.stdin.read()\n"
                + "mm.close()\n"));
        try {
            MountFixture.Result r = sh("dd if=mmap/f bs=1 skip=100 count=5 status=none");
            ok(r);
            assertEquals("HELLO", r.out());
        } finally {
            release(writer);
        }
        // munmap wrote the dirty page back: the server has it
        long id = m.fs.resolve("/mmap/f");
        byte[] server = m.fs.contents(id);
        assertEquals("HELLO", new String(server, 100, 5, StandardCharsets.US_ASCII));
    }

    @Test
    void unlinkedOpenFileStaysReadable() throws Exception {
        Path d = dir("unlinked");
        Path f = d.resolve("f");
        Files.writeString(f, "still here");
        long id = m.fs.resolve("/unlinked/f");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            Files.delete(f);
            assertFalse(Files.exists(f));
            ByteBuffer b = ByteBuffer.allocate(64);
            ch.read(b, 0);
            assertEquals("still here", new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII));
            ch.write(ByteBuffer.wrap("!".getBytes(StandardCharsets.US_ASCII)), 10);
            assertEquals(11, ch.size());
            assertTrue(m.fs.exists(id), "freed while open");
        }
        // after close the kernel forgets the inode and the server frees it
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (m.fs.exists(id) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertFalse(m.fs.exists(id), "unlinked inode never freed after close + forget");
    }

    @Test
    void concurrentClientsSeeConsistentResults() throws Exception {
        Path d = dir("concurrent");
        int threads = 6;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            List<java.util.concurrent.Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                results.add(pool.submit(() -> {
                    Random rnd = new Random(id);
                    Path mine = Files.createDirectory(d.resolve("t" + id));
                    int checked = 0;
                    for (int i = 0; i < 40; i++) {
                        byte[] data = new byte[1 + rnd.nextInt(200_000)];
                        rnd.nextBytes(data);
                        Path f = mine.resolve("f" + i);
                        Files.write(f, data);
                        Path g = mine.resolve("g" + i);
                        Files.move(f, g);
                        assertArrayEquals(data, Files.readAllBytes(g));
                        if (i % 3 == 0) {
                            Files.delete(g);
                        }
                        checked++;
                    }
                    try (Stream<Path> s = Files.list(mine)) {
                        assertEquals(40 - 14, s.count());
                    }
                    return checked;
                }));
            }
            for (java.util.concurrent.Future<Integer> f : results) {
                assertEquals(40, f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void writeByAnotherUserClearsSetuid() throws Exception {
        dir("killpriv");
        ok(sh("echo x > killpriv/f && chmod 6777 killpriv/f && test \"$(stat -c %a killpriv/f)\" = 6777"
                + " && setpriv --reuid=65534 --regid=65534 --clear-groups sh -c 'echo y >> killpriv/f'"));
        // The WRITE carried FUSE_WRITE_KILL_SUIDGID and the server cleared the bits. The kernel keeps
        // its cached mode until the attributes expire (it does not invalidate the mode after such a
        // write), so ask for fresh attributes instead of waiting for the timeout.
        assertTrue(m.session.notifier().invalidateInode(m.fs.resolve("/killpriv/f"), -1, 0));
        ok(sh("test \"$(stat -c %a killpriv/f)\" = 777 && test \"$(cat killpriv/f)\" = \"$(printf 'x\\ny')\""));
    }

    @Test
    void copyFileRange() throws Exception {
        dir("copy");
        MountFixture.Result r = sh(python("import os\n"
                + "src=os.open(\"copy/src\",os.O_RDWR|os.O_CREAT,0o644)\n"
                + "os.write(src,b\"0123456789\"*1000)\n"
                + "dst=os.open(\"copy/dst\",os.O_RDWR|os.O_CREAT,0o644)\n"
                + "n=os.copy_file_range(src,dst,5000,100,0)\n"
                + "print(n, os.pread(dst,10,0))\n"));
        ok(r);
        assertEquals("5000 b'0123456789'", r.out().trim());
        assertEquals(5000, Files.size(m.path("copy/dst")));
    }

    @Test
    void truncateAndTimes() throws Exception {
        dir("trunc");
        ok(sh("echo 0123456789 > trunc/f && truncate -s 4 trunc/f && test \"$(cat trunc/f)\" = 0123"
                + " && truncate -s 8192 trunc/f && test $(stat -c %s trunc/f) -eq 8192"
                + " && test \"$(tail -c 1 trunc/f | od -An -tx1 | tr -d ' ')\" = 00"
                + " && touch -d '2001-02-03 04:05:06' trunc/f && test \"$(date -r trunc/f +%Y)\" = 2001"
                + " && chmod 4755 trunc/f && test \"$(stat -c %a trunc/f)\" = 4755"
                + " && chown 65534 trunc/f && test \"$(stat -c %u trunc/f)\" = 65534"));
    }
}
