package org.gfs2j.fs.xattr;

import static org.gfs2j.fs.xattr.XattrTestSupport.assertBlocksCounted;
import static org.gfs2j.fs.xattr.XattrTestSupport.assertErrno;
import static org.gfs2j.fs.xattr.XattrTestSupport.n;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gfs2j.fs.alloc.TestMount;
import org.gfs2j.fs.mount.MountConfig;
import org.gfs2j.fs.mount.ReadWriteGfs2Vfs;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.ondisk.PosixAcl;
import org.gfs2j.fs.testing.Gfs2Tools;
import org.gfs2j.fs.vfs.FsException;
import org.gfs2j.fs.vfs.InodeAttributes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The POSIX ACL rules through the read-write VFS: posix_acl_update_mode on setxattr, posix_acl_chmod
 * on setattr, posix_acl_create on mknod/mkdir/symlink under a default ACL, validation errnos; the
 * image stays fsck.gfs2 -n clean and a remount reads the same.
 */
class AclRulesTest {
    private static final String ACCESS = PosixAcl.ACCESS_XATTR;
    private static final String DEFAULT = PosixAcl.DEFAULT_XATTR;

    @TempDir
    Path dir;

    /** An ACL from "tag:id:perm" terms, e.g. "u::6", "u:1000:4", "g::4", "m::6", "o::0". */
    static PosixAcl acl(String... terms) {
        List<PosixAcl.Entry> out = new ArrayList<>();
        for (String t : terms) {
            String[] p = t.split(":", -1);
            int tag = switch (p[0]) {
                case "u" -> p[1].isEmpty() ? PosixAcl.USER_OBJ : PosixAcl.USER;
                case "g" -> p[1].isEmpty() ? PosixAcl.GROUP_OBJ : PosixAcl.GROUP;
                case "m" -> PosixAcl.MASK;
                case "o" -> PosixAcl.OTHER;
                default -> throw new IllegalArgumentException(t);
            };
            out.add(new PosixAcl.Entry(tag, Integer.parseInt(p[2]), p[1].isEmpty() ? PosixAcl.UNDEFINED_ID : Long.parseLong(p[1])));
        }
        return new PosixAcl(out);
    }

    private static int perms(InodeAttributes a) {
        return a.mode() & 07777;
    }

    @Test
    void settingAnAccessAclSetsTheModeAndChmodUpdatesTheAcl() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "img", 64, 32, 4096);
        long f;
        PosixAcl afterChmod = acl("u::7", "u:1000:4", "g::4", "m::5", "o::0");
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            long root = vfs.rootIno();
            f = vfs.mknod(root, n("f"), Dinode.S_IFREG | 0644, 0, 0, 0).ino();
            PosixAcl a = acl("u::6", "u:1000:4", "g::4", "m::6", "o::0");
            vfs.setxattr(f, ACCESS, a.encode(), 0);
            assertEquals(0660, perms(vfs.getattr(f)), "group bits are the mask");
            assertArrayEquals(a.encode(), vfs.getxattr(f, ACCESS));

            vfs.setattr(f, 0750, null, null, null, null, null);
            assertEquals(0750, perms(vfs.getattr(f)));
            assertEquals(afterChmod, PosixAcl.decode(vfs.getxattr(f, ACCESS), -1));

            // an ACL the mode can say alone: mode only, the stored ACL goes
            vfs.setxattr(f, ACCESS, acl("u::7", "g::5", "o::4").encode(), XattrWriter.XATTR_CREATE);
            assertEquals(0754, perms(vfs.getattr(f)));
            assertEquals(List.of(), vfs.listxattr(f));
            vfs.removexattr(f, ACCESS); // absent: still fine, as gfs2_set_acl(NULL)

            // ids of USER_OBJ etc. are normalized to -1 as the kernel writes them
            byte[] withIds = acl("u::6", "u:7:6", "g::0", "m::6", "o::0").encode();
            ByteBuffer.wrap(withIds).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 0);
            vfs.setxattr(f, ACCESS, withIds, 0);
            assertArrayEquals(acl("u::6", "u:7:6", "g::0", "m::6", "o::0").encode(), vfs.getxattr(f, ACCESS));
            assertEquals(0660, perms(vfs.getattr(f)));
            // a header without entries removes the ACL; the mode stays
            vfs.setxattr(f, ACCESS, acl().encode(), 0);
            assertEquals(List.of(), vfs.listxattr(f));
            assertEquals(0660, perms(vfs.getattr(f)));

            // S_ISGID goes when the caller is not in the group (FUSE's SETXATTR_ACL_KILL_SGID)
            vfs.setattr(f, 02770, null, null, null, null, null);
            vfs.setxattr(f, ACCESS, acl("u::7", "u:5:7", "g::7", "m::7", "o::0").encode(), XattrOperations.ACL_KILL_SGID);
            assertEquals(0770, perms(vfs.getattr(f)));
            vfs.setattr(f, 02770, null, null, null, null, null);
            vfs.setxattr(f, ACCESS, acl("u::7", "u:5:7", "g::7", "m::5", "o::0").encode(), 0);
            assertEquals(02750, perms(vfs.getattr(f)));
            vfs.setattr(f, 0750, null, null, null, null, null);
            vfs.setxattr(f, ACCESS, acl("u::6", "u:1000:4", "g::4", "m::6", "o::0").encode(), 0);
            vfs.setattr(f, 0750, null, null, null, null, null);

            // invalid values
            assertErrno(FsException.EINVAL, () -> vfs.setxattr(f, ACCESS, acl("u::6", "g::4").encode(), 0));
            assertErrno(FsException.EINVAL, () -> vfs.setxattr(f, ACCESS, acl("u::6", "u:1:4", "g::4", "o::0").encode(), 0));
            assertErrno(FsException.EINVAL, () -> vfs.setxattr(f, ACCESS, acl("u::6", "g::4", "u:1:4", "m::4", "o::0").encode(), 0));
            assertErrno(FsException.EINVAL, () -> vfs.setxattr(f, ACCESS, acl("u::6", "u:2:4", "u:2:4", "g::4", "m::4", "o::0").encode(), 0));
            assertErrno(FsException.EINVAL, () -> vfs.setxattr(f, ACCESS, acl("u::8", "g::4", "o::0").encode(), 0));
            assertErrno(FsException.EINVAL, () -> vfs.setxattr(f, ACCESS, new byte[] {2, 0, 0, 0, 1}, 0));
            assertErrno(FsException.EINVAL, () -> vfs.setxattr(f, ACCESS, new byte[] {2, 0}, 0));
            byte[] v1 = acl("u::6", "g::4", "o::0").encode();
            v1[0] = 1;
            assertErrno(FsException.EOPNOTSUPP, () -> vfs.setxattr(f, ACCESS, v1, 0));
            List<String> many = new ArrayList<>(List.of("u::6"));
            for (int i = 0; i < 300; i++) {
                many.add("u:" + (1000 + i) + ":4");
            }
            many.addAll(List.of("g::4", "m::4", "o::0"));
            assertErrno(FsException.E2BIG, () -> vfs.setxattr(f, ACCESS, acl(many.toArray(String[]::new)).encode(), 0));
            assertErrno(FsException.EACCES, () -> vfs.setxattr(f, DEFAULT, acl("u::7", "g::5", "o::5").encode(), 0));
            vfs.removexattr(f, DEFAULT); // no default ACL on a file: nothing to do
            long l = vfs.symlink(root, n("l"), n("f"), 0, 0).ino();
            assertErrno(FsException.EOPNOTSUPP, () -> vfs.setxattr(l, ACCESS, acl("u::7", "g::5", "o::5").encode(), 0));
            assertErrno(FsException.EOPNOTSUPP, () -> vfs.removexattr(l, ACCESS));
            assertEquals(afterChmod, PosixAcl.decode(vfs.getxattr(f, ACCESS), -1), "failed calls change nothing");
            assertEquals(0750, perms(vfs.getattr(f)));
            assertBlocksCounted(vfs, f);
        }
        Gfs2Tools.assertFsckClean(img);
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            assertEquals(afterChmod, PosixAcl.decode(vfs.getxattr(f, ACCESS), -1));
            assertEquals(0750, perms(vfs.getattr(f)));
        }
    }

    @Test
    void newInodesInheritTheDefaultAcl() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = TestMount.mkfs(dir, "img", 64, 32, 4096);
        PosixAcl def = acl("u::7", "u:1000:7", "g::5", "m::7", "o::5");
        long f;
        long sub;
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            long root = vfs.rootIno();
            long d = vfs.mkdir(root, n("d"), 0755, 0, 0).ino();
            vfs.setxattr(d, DEFAULT, def.encode(), 0);
            assertEquals(0755, perms(vfs.getattr(d)), "a default ACL leaves the mode alone");
            assertErrno(FsException.ENODATA, () -> vfs.getxattr(d, ACCESS));

            // the mode arrives without the umask: posix_acl_create masks the ACL with it
            InodeAttributes fa = vfs.mknod(d, n("f"), Dinode.S_IFREG | 0666, 0, 0, 0);
            f = fa.ino();
            assertEquals(0664, perms(fa));
            assertEquals(acl("u::6", "u:1000:7", "g::5", "m::6", "o::4"), PosixAcl.decode(vfs.getxattr(f, ACCESS), -1));
            assertEquals(List.of(ACCESS), vfs.listxattr(f), "files get no default ACL");
            assertBlocksCounted(vfs, f);

            InodeAttributes sa = vfs.mkdir(d, n("sub"), 0777, 0, 0);
            sub = sa.ino();
            assertEquals(0775, perms(sa));
            assertEquals(List.of(DEFAULT, ACCESS), vfs.listxattr(sub), "default first, as gfs2 writes them");
            assertArrayEquals(def.encode(), vfs.getxattr(sub, DEFAULT));
            assertEquals(acl("u::7", "u:1000:7", "g::5", "m::7", "o::5"), PosixAcl.decode(vfs.getxattr(sub, ACCESS), -1));
            // and on down the tree
            InodeAttributes deeper = vfs.mknod(sub, n("x"), Dinode.S_IFREG | 0600, 0, 0, 0);
            assertEquals(0600, perms(deeper));
            assertEquals(acl("u::6", "u:1000:7", "g::5", "m::0", "o::0"), PosixAcl.decode(vfs.getxattr(deeper.ino(), ACCESS), -1));

            InodeAttributes la = vfs.symlink(d, n("l"), n("f"), 0, 0);
            assertEquals(Dinode.S_IFLNK | 0777, la.mode());
            assertEquals(List.of(), vfs.listxattr(la.ino()), "symlinks get no ACL");

            // a default ACL the mode can say: the new file gets the masked mode and no stored ACL
            long plain = vfs.mkdir(root, n("plain"), 0755, 0, 0).ino();
            vfs.setxattr(plain, DEFAULT, acl("u::7", "g::5", "o::0").encode(), 0);
            InodeAttributes pa = vfs.mknod(plain, n("p"), Dinode.S_IFREG | 0666, 0, 0, 0);
            assertEquals(0640, perms(pa));
            assertEquals(List.of(), vfs.listxattr(pa.ino()));
            // without a default ACL the mode is taken as given
            InodeAttributes ra = vfs.mknod(root, n("r"), Dinode.S_IFREG | 0666, 0, 0, 0);
            assertEquals(0666, perms(ra));
            assertEquals(List.of(), vfs.listxattr(ra.ino()));
            // removing the default ACL stops inheritance
            vfs.removexattr(plain, DEFAULT);
            assertEquals(0666, perms(vfs.mknod(plain, n("q"), Dinode.S_IFREG | 0666, 0, 0, 0)));
            assertNull(new XattrOperations(vfs.fileSystem()).acls().defaultAcl(
                    b -> vfs.fileSystem().cache.read(b), plain));
        }
        Gfs2Tools.assertFsckClean(img);
        try (ReadWriteGfs2Vfs vfs = ReadWriteGfs2Vfs.mount(img, MountConfig.of(0))) {
            assertEquals(acl("u::6", "u:1000:7", "g::5", "m::6", "o::4"), PosixAcl.decode(vfs.getxattr(f, ACCESS), -1));
            assertArrayEquals(def.encode(), vfs.getxattr(sub, DEFAULT));
        }
    }
}
