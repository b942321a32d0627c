package org.gfs2j.fuse.gfs2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.gfs2j.fs.mount.MountConfig;
import org.gfs2j.fs.mount.ReadWriteGfs2Vfs;
import org.gfs2j.fs.ondisk.PosixAcl;
import org.gfs2j.fuse.fs.Created;
import org.gfs2j.fuse.protocol.Fuse;
import org.gfs2j.fuse.session.FuseMount;
import org.gfs2j.fuse.session.FuseSession;
import org.gfs2j.fuse.session.MountOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Extended attributes and POSIX ACLs on the read-write file system: through the adapter (umask
 * only without a default ACL, SETXATTR_ACL_KILL_SGID) and through a real FUSE mount, where
 * setfacl/getfacl work and the kernel enforces what we store (default_permissions +
 * FUSE_POSIX_ACL); the image is fsck.gfs2 -n clean afterwards.
 */
class Gfs2AclMountTest {
    private static final int O_RDWR = 02;
    private static final int O_CREAT = 0100;

    @TempDir
    Path tmp;

    private static PosixAcl acl(int userObj, long user, int userPerm, int groupObj, int mask, int other) {
        return new PosixAcl(java.util.List.of(PosixAcl.Entry.of(PosixAcl.USER_OBJ, userObj),
                new PosixAcl.Entry(PosixAcl.USER, userPerm, user), PosixAcl.Entry.of(PosixAcl.GROUP_OBJ, groupObj),
                PosixAcl.Entry.of(PosixAcl.MASK, mask), PosixAcl.Entry.of(PosixAcl.OTHER, other)));
    }

    @Test
    void adapterAppliesTheUmaskOnlyWithoutADefaultAclAndPassesKillSgid() throws Exception {
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(ImageFiles.unpack("kernel-4k", tmp), MountConfig.of(0))) {
            Gfs2FuseFileSystem fs = new Gfs2FuseFileSystem(vfs);
            var ctx = Gfs2FuseFileSystemTest.CTX;
            long d = fs.mkdir(ctx, 1, "inherit", 0777, 022).nodeid();
            assertEquals(040755, fs.getattr(ctx, d, -1).mode(), "no default ACL: umask applied");
            fs.setxattr(ctx, d, PosixAcl.DEFAULT_XATTR, acl(7, 1000, 7, 7, 7, 7).encode(), 0, 0);

            Created c = fs.create(ctx, d, "f", 0100666, 077, O_RDWR | O_CREAT);
            assertEquals(0100666, c.entry().attr().mode(), "the default ACL, not the umask, masks the mode");
            fs.release(ctx, c.entry().nodeid(), c.open().fh(), O_RDWR, 0, 0);
            assertEquals(acl(6, 1000, 7, 7, 6, 6), PosixAcl.decode(fs.getxattr(ctx, c.entry().nodeid(),
                    PosixAcl.ACCESS_XATTR), -1));
            assertEquals(040770, fs.mkdir(ctx, d, "sub", 0770, 077).attr().mode());
            assertEquals(0100640, fs.mknod(ctx, d, "node", 0100640, 0, 077).attr().mode());
            assertEquals(0100600, fs.mknod(ctx, 1, "plain", 0100666, 0, 077).attr().mode());

            long f = c.entry().nodeid();
            fs.setattr(ctx, f, new org.gfs2j.fuse.fs.SetAttr(Fuse.SetattrValid.MODE, 0, 0, 0, 0, 0, 0, 0, 0, 0, 02770, 0, 0));
            fs.setxattr(ctx, f, PosixAcl.ACCESS_XATTR, acl(7, 1000, 7, 7, 7, 0).encode(), 0, Fuse.SETXATTR_ACL_KILL_SGID);
            assertEquals(0100770, fs.getattr(ctx, f, -1).mode(), "S_ISGID killed");
            fs.setxattr(ctx, f, "user.x", new byte[] {1}, 0, 0);
            org.gfs2j.fuse.fs.ErrnoException e = org.junit.jupiter.api.Assertions.assertThrows(
                    org.gfs2j.fuse.fs.ErrnoException.class, () -> fs.setxattr(ctx, f, "user.x", new byte[] {2}, Fuse.XATTR_CREATE, 0));
            assertEquals(org.gfs2j.fuse.protocol.Errno.EEXIST, e.errno());
            e = org.junit.jupiter.api.Assertions.assertThrows(org.gfs2j.fuse.fs.ErrnoException.class,
                    () -> fs.setxattr(ctx, f, "user.y", new byte[] {2}, Fuse.XATTR_REPLACE, 0));
            assertEquals(org.gfs2j.fuse.protocol.Errno.ENODATA, e.errno());
        }
    }

    @Test
    void setfaclGetfaclAndTheKernelEnforcesTheAcls() throws Exception {
        ImageFiles.assumeCanMount();
        Path img = ImageFiles.unpack("kernel-4k", tmp);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        String m = "'" + mp + "'";
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0));
             FuseSession s = FuseMount.mount(mp, MountOptions.defaults().withFsName(img.toString()),
                     new Gfs2FuseFileSystem(vfs))) {
            sh("cd " + m + " && echo secret > f && chmod 600 f");
            assertNotEquals(0, asNobody("cat " + m + "/f").exit(), "mode 600 keeps nobody out");

            sh("cd " + m + " && setfacl -m u:nobody:r f");
            String acl = sh("cd " + m + " && getfacl -n f").out();
            assertTrue(acl.contains("user:65534:r--") && acl.contains("mask::r--"), acl);
            ImageFiles.Result read = asNobody("cat " + m + "/f");
            assertEquals(0, read.exit(), read.out());
            assertEquals("secret\n", read.out());
            assertNotEquals(0, asNobody("echo x >> " + m + "/f").exit(), "r only");

            sh("chmod 600 " + m + "/f"); // the mask follows the group bits: nobody loses access
            assertTrue(sh("getfacl -n " + m + "/f").out().contains("mask::---"));
            assertNotEquals(0, asNobody("cat " + m + "/f").exit());

            // a default ACL: a new file under umask 077 still lets nobody write
            sh("mkdir " + m + "/d && setfacl -d -m u:nobody:rwx " + m + "/d && setfacl -m u:nobody:rwx " + m + "/d");
            sh("umask 077 && touch " + m + "/d/new && mkdir " + m + "/d/sub");
            String inherited = sh("getfacl -n " + m + "/d/new").out();
            assertTrue(inherited.contains("user:65534:rwx") && inherited.contains("mask::rw-"), inherited);
            ImageFiles.Result write = asNobody("echo hi > " + m + "/d/new && cat " + m + "/d/new");
            assertEquals(0, write.exit(), write.out());
            assertEquals("hi\n", write.out());
            assertTrue(sh("getfacl -n -d " + m + "/d/sub").out().contains("user:65534:rwx"), "directories inherit it");

            // setfacl -b: no ACL left, the mode says it all
            sh("setfacl -b " + m + "/d/new");
            assertEquals("", sh("getfattr -m - " + m + "/d/new").out().trim());
            sh("setfattr -n user.note -v hello " + m + "/f && setfattr -x user.note " + m + "/f");
            assertNotEquals(0, ImageFiles.sh("getfattr -n user.note " + m + "/f").exit(), "removed");
        }
        ImageFiles.Result fsck = ImageFiles.sh("fsck.gfs2 -n '" + img + "'");
        assertEquals(0, fsck.exit(), fsck.out());
    }

    private static ImageFiles.Result sh(String script) throws IOException, InterruptedException {
        ImageFiles.Result r = ImageFiles.sh(script);
        if (r.exit() != 0) {
            throw new AssertionError("`" + script + "` failed: " + r.out());
        }
        return r;
    }

    private static ImageFiles.Result asNobody(String script) throws IOException, InterruptedException {
        return ImageFiles.sh("su nobody -s /bin/sh -c \"" + script + "\"");
    }
}
