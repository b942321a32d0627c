package org.gfs2j.fuse.gfs2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;

import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.vfs.ReadOnlyGfs2Vfs;
import org.gfs2j.fuse.session.FuseMount;
import org.gfs2j.fuse.session.FuseSession;
import org.gfs2j.fuse.session.MountOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Mounts the kernel-written images through {@link Gfs2FuseFileSystem} and looks at them with
 * ordinary tools: the tree, contents, link targets, devices, xattrs, statfs and ACLs must be what
 * the kernel's own GFS2 showed (the manifests), writes must fail with EROFS, and the image must be
 * byte-identical afterwards.
 */
class Gfs2MountTest {
    private static final String ACL_FILE = "tree/a/b/4097";
    private static final String READ_ONLY = "Read-only file system";

    @TempDir
    Path tmp;

    /** A mount point other users can reach (the JUnit temporary directory is private). */
    private Path mountpoint() throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        return Files.createDirectory(tmp.resolve("mnt"));
    }

    private static FuseSession mount(Path mp, Path img, ReadOnlyGfs2Vfs vfs, boolean kernelReadOnly) throws IOException {
        MountOptions o = MountOptions.defaults().withFsName(img.toString()).withReadOnly(kernelReadOnly);
        return FuseMount.mount(mp, o, new Gfs2FuseFileSystem(vfs));
    }

    @ParameterizedTest
    @ValueSource(strings = {"kernel-4k", "kernel-1k"})
    void mountedImageLooksAsTheKernelSawIt(String name) throws Exception {
        ImageFiles.assumeCanMount();
        Path img = ImageFiles.unpack(name, tmp);
        String before = ImageFiles.sha256(img);
        List<String> manifest = ImageFiles.manifest(name);
        Path mp = mountpoint();
        try (ReadOnlyGfs2Vfs vfs = ReadOnlyGfs2Vfs.open(img);
             FuseSession s = mount(mp, img, vfs, true)) {
            assertEquals(MountedTree.manifestEntries(manifest), MountedTree.entries(mp));
            assertEquals(MountedTree.manifestXattrs(manifest), MountedTree.xattrs(mp));
            assertEquals(MountedTree.manifestStatfs(manifest), MountedTree.statfs(mp));

            String acl = ImageFiles.sh("cd '" + mp + "' && getfacl -n " + ACL_FILE).out();
            assertTrue(acl.contains("user::rw-\nuser:1000:rw-\ngroup::r--\ngroup:100:r--\nmask::rw-\nother::r--"), acl);
            // The named-user entry lets uid 1000 read (so would "other"; the denial is tested below).
            ImageFiles.Result asUser = ImageFiles.sh("setpriv --reuid=1000 --regid=1000 --clear-groups md5sum '"
                    + mp.resolve(ACL_FILE) + "'");
            assertEquals(0, asUser.exit(), asUser.out());
            assertTrue(asUser.out().startsWith("686827f0fc4c79e7f73c231fa93e0ee1"), asUser.out());

            // Advisory locks work on a read-only mount: flock(1) opens the file separately each time.
            String f = "'" + mp.resolve("tree/1m") + "'";
            assertEquals("1 0\n", ImageFiles.sh("flock -s " + f + " -c \"flock -n -x " + f + " true; a=\\$?; flock -n -s "
                    + f + " true; echo \\$a \\$?\"").out());

            for (String cmd : List.of("touch tree/new", "echo x >> tree/hello.txt", "mkdir tree/d", "rm tree/zero",
                    "chmod 600 tree/zero", "setfattr -n user.x -v 1 tree/hello.txt", "ln -s x tree/l", "mv tree/zero tree/z")) {
                ImageFiles.Result r = ImageFiles.sh("cd '" + mp + "' && " + cmd);
                assertNotEquals(0, r.exit(), cmd);
                assertTrue(r.out().contains(READ_ONLY), cmd + ": " + r.out());
            }
        }
        assertEquals(before, ImageFiles.sha256(img), "the image changed");
    }

    /**
     * The ACL on disk, not the mode, decides: with uid 1000's entry patched to "---" the kernel
     * refuses uid 1000 although the mode's "other" bits (r) would let it read, while uid 1001 still
     * reads through ACL "other". Mounted without MS_RDONLY so that modifications reach the file
     * system, which answers EROFS itself.
     */
    @Test
    void aclReadFromDiskIsEnforcedAndTheFileSystemRefusesWrites() throws Exception {
        ImageFiles.assumeCanMount();
        Path img = ImageFiles.unpack("kernel-4k", tmp);
        denyUser1000(img);
        String before = ImageFiles.sha256(img);
        Path mp = mountpoint();
        try (ReadOnlyGfs2Vfs vfs = ReadOnlyGfs2Vfs.open(img);
             FuseSession s = mount(mp, img, vfs, false)) {
            String file = "'" + mp.resolve(ACL_FILE) + "'";
            assertTrue(ImageFiles.sh("getfacl -n " + file).out().contains("user:1000:---"));
            ImageFiles.Result denied = ImageFiles.sh("setpriv --reuid=1000 --regid=1000 --clear-groups cat " + file);
            assertNotEquals(0, denied.exit());
            assertTrue(denied.out().contains("Permission denied"), denied.out());
            ImageFiles.Result other = ImageFiles.sh("setpriv --reuid=1001 --regid=1001 --clear-groups md5sum " + file);
            assertEquals(0, other.exit(), other.out());
            assertTrue(other.out().startsWith("686827f0fc4c79e7f73c231fa93e0ee1"), other.out());

            for (String cmd : List.of("touch tree/new", "echo x >> tree/hello.txt", "mkdir tree/d", "rm tree/zero",
                    "chmod 600 tree/zero", "setfattr -n user.x -v 1 tree/hello.txt", "ln -s x tree/l",
                    "ln tree/zero tree/hl", "mv tree/zero tree/z", "truncate -s 0 tree/hello.txt", "rmdir tree/empty",
                    "mkfifo tree/p")) {
                ImageFiles.Result r = ImageFiles.sh("cd '" + mp + "' && " + cmd);
                assertNotEquals(0, r.exit(), cmd);
                assertTrue(r.out().contains(READ_ONLY), cmd + ": " + r.out());
            }
            assertEquals("b1946ac92492d2347c6235b4d2611184",
                    ImageFiles.sh("md5sum < '" + mp.resolve("tree/hello.txt") + "'").out().substring(0, 32));
        }
        assertEquals(before, ImageFiles.sha256(img), "the image changed");
    }

    /** A corrupt dinode makes that one path fail with EIO; the mount keeps serving everything else. */
    @Test
    void corruptMetadataIsAnIoErrorNotACrash() throws Exception {
        ImageFiles.assumeCanMount();
        Path img = ImageFiles.unpack("kernel-4k", tmp);
        long victim;
        int bsize;
        try (FileSystemReader r = FileSystemReader.open(img)) {
            victim = r.resolve("tree/a/b/4097").addr();
            bsize = r.geometry().bsize();
        }
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[4]), victim * bsize + org.gfs2j.fs.ondisk.Dinode.OFF_MODE);
        }
        Path mp = mountpoint();
        try (ReadOnlyGfs2Vfs vfs = ReadOnlyGfs2Vfs.open(img);
             FuseSession s = mount(mp, img, vfs, true)) {
            ImageFiles.Result bad = ImageFiles.sh("stat '" + mp.resolve(ACL_FILE) + "'");
            assertNotEquals(0, bad.exit());
            assertTrue(bad.out().contains("Input/output error"), bad.out());
            // The directory still lists (READDIRPLUS sends the broken name without attributes).
            assertEquals("4097\nc\n", ImageFiles.sh("ls '" + mp.resolve("tree/a/b") + "'").out());
            ImageFiles.Result ls = ImageFiles.sh("ls -l '" + mp.resolve("tree/a/b") + "'");
            assertTrue(ls.out().contains("Input/output error") && ls.out().contains(" c\n"), ls.out());
            assertEquals("hello\n", ImageFiles.sh("cat '" + mp.resolve("tree/hello.txt") + "'").out());
        }
    }

    /** Rewrites the ACL of tree/a/b/4097 in its EA block: user:1000 rw- becomes ---. */
    private static void denyUser1000(Path img) throws IOException {
        long eaBlock;
        int bsize;
        try (FileSystemReader r = FileSystemReader.open(img)) {
            eaBlock = r.resolve(ACL_FILE).dinode().eattr();
            bsize = r.geometry().bsize();
        }
        byte[] acl = Base64.getDecoder().decode("AgAAAAEABgD/////AgAGAOgDAAAEAAQA/////wgABABkAAAAEAAGAP////8gAAQA/////w==");
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(bsize);
            ch.read(b, eaBlock * bsize);
            byte[] block = b.array();
            int at = indexOf(block, acl);
            assertTrue(at > 0, "ACL value not found in EA block " + eaBlock);
            // Entry 1 (user:1000) starts at 4 + 8; its perm is the u16 after the tag.
            block[at + 12 + 2] = 0;
            ch.write(ByteBuffer.wrap(block), eaBlock * bsize);
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
