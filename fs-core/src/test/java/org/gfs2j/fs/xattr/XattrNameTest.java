package org.gfs2j.fs.xattr;

import static org.gfs2j.fs.xattr.XattrTestSupport.assertErrno;
import static org.gfs2j.fs.xattr.XattrTestSupport.n;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.gfs2j.fs.ondisk.EaHeader;
import org.gfs2j.fs.ondisk.Geometry;
import org.gfs2j.fs.ondisk.Superblock;
import org.gfs2j.fs.vfs.FsException;
import org.junit.jupiter.api.Test;

/** Linux names to GFS2 namespace codes, and the record sizes the kernel computes. */
class XattrNameTest {
    private static final int F1802 = Superblock.FS_FORMAT_1802;

    @Test
    void namespacesMapToGfs2TypeCodes() throws Exception {
        assertEquals(new XattrName(EaHeader.TYPE_USER, n("color")), XattrName.parse("user.color", F1802));
        assertEquals(new XattrName(EaHeader.TYPE_SECURITY, n("selinux")), XattrName.parse("security.selinux", F1802));
        assertEquals(new XattrName(EaHeader.TYPE_TRUSTED, n("t")), XattrName.parse("trusted.t", F1802));
        XattrName acl = XattrName.parse("system.posix_acl_access", F1802);
        assertEquals(EaHeader.TYPE_SYSTEM, acl.type());
        assertArrayEquals(n("posix_acl_access"), acl.name());
        assertTrue(acl.isAccessAcl());
        assertTrue(XattrName.parse("system.posix_acl_default", F1802).isDefaultAcl());
        assertEquals("user.color", XattrName.parse("user.color", F1802).toString());
    }

    @Test
    void badNamesGetLinuxsErrnos() {
        assertErrno(FsException.EOPNOTSUPP, () -> XattrName.parse("trusted.t", Superblock.FS_FORMAT_1801));
        assertErrno(FsException.EOPNOTSUPP, () -> XattrName.parse("system.other", F1802));
        assertErrno(FsException.EOPNOTSUPP, () -> XattrName.parse("os2.x", F1802));
        assertErrno(FsException.EOPNOTSUPP, () -> XattrName.parse("user", F1802));
        assertErrno(FsException.EINVAL, () -> XattrName.parse("security.", F1802));
        assertErrno(FsException.ERANGE, () -> XattrName.parse("user." + "x".repeat(251), F1802));
    }

    @Test
    void recordSizesFollowTheKernel() {
        Geometry g4 = Geometry.of(4096);
        assertEquals(24, XattrWriter.recordSize(1, 1, g4));
        assertEquals(4072, XattrWriter.recordSize(1, 4055, g4), "the largest stuffed value fills the block");
        assertEquals(32, XattrWriter.recordSize(1, 4056, g4), "one ED pointer");
        assertEquals(160, XattrWriter.recordSize(1, 65536, g4), "17 ED pointers");
        assertEquals(0, XattrWriter.edBlocks(1, 4055, g4));
        assertEquals(17, XattrWriter.edBlocks(1, 65536, g4));
        assertEquals(66, XattrWriter.edBlocks(3, 65536, Geometry.of(1024)));
        assertTrue(XattrWriter.recordSize(3, 65536, Geometry.of(512)) > Geometry.of(512).jbsize());
    }
}
