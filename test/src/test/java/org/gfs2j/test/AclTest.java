package org.gfs2j.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * POSIX ACLs through the kernel on a gfs2j mount, checked as user {@code nobody}: a file mode 600
 * is unreadable to nobody, {@code setfacl -m u:nobody:r} makes it readable (getfacl shows the
 * entry; writing stays denied), {@code setfacl -x} takes it back; a directory's default ACL is
 * inherited by a new file (nobody may then write it); the ACLs survive a remount and the image is
 * fsck.gfs2-clean.
 *
 * <p>ACLs are stored as xattrs ({@code system.posix_acl_access}/{@code _default}); while gfs2j has
 * no xattr writes, setfacl answers "Operation not supported" and the test aborts with that reason
 * (it is not passed).
 */
class AclTest {
    private static final String XATTR_WRITES_MISSING =
            "known missing: setfacl answers EOPNOTSUPP (xattr writes, system.posix_acl_*, are not implemented)";

    @RegisterExtension
    final GfsMount fs = new GfsMount();

    @Test
    void accessAndDefaultAclsDecideWhatNobodyMayDo() throws Exception {
        GfsMount.requireTools("setfacl", "getfacl", "runuser");
        assertEquals(0, GfsMount.run(java.util.List.of("id", "nobody")).code(), "user nobody is missing");
        fs.formatImage(256);
        fs.mount("allow_other"); // without it FUSE refuses every user but the mounter
        // nobody must be able to reach the mount point (the fixture's temporary directory is 0700).
        fs.sh("chmod 755 \"$(dirname $M)\"; echo secret > $M/f; chmod 600 $M/f; mkdir $M/d; chmod 777 $M/d").ok("setup");
        assertNotEquals(0, fs.sh("runuser -u nobody -- cat $M/f").code(), "mode 600 keeps nobody out");

        GfsMount.Result set = fs.sh("setfacl -m u:nobody:r $M/f 2>&1");
        if (set.code() != 0 && set.out().contains("Operation not supported")) {
            fs.unmountAndCheck();
            abort(XATTR_WRITES_MISSING + ": " + set.out().trim());
        }
        set.ok("setfacl -m u:nobody:r");
        assertTrue(fs.sh("getfacl -c $M/f").ok("getfacl").out().contains("user:nobody:r--"), "getfacl shows the entry");
        assertEquals("secret\n", fs.sh("runuser -u nobody -- cat $M/f").ok("nobody reads through the ACL").out());
        assertNotEquals(0, fs.sh("runuser -u nobody -- sh -c \"echo x >> $M/f\"").code(), "the ACL grants no write");

        fs.sh("setfacl -d -m u:nobody:rw $M/d && setfacl -m o::rx $M/d && touch $M/d/new && echo old > $M/d/new"
                + " && chmod 770 $M/d/new").ok("default ACL"); // 770: chmod sets the mask, so nobody keeps rw (750 would leave r)
        String inherited = fs.sh("getfacl -c $M/d/new").ok("getfacl of the new file").out();
        assertTrue(inherited.contains("user:nobody:rw-"), "the new file inherits the default ACL:\n" + inherited);
        fs.sh("runuser -u nobody -- sh -c \"echo by-nobody > $M/d/new\"").ok("nobody writes through the inherited ACL");

        fs.sh("setfacl -x u:nobody $M/f").ok("setfacl -x");
        assertNotEquals(0, fs.sh("runuser -u nobody -- cat $M/f").code(), "removing the entry takes the access back");
        fs.sh("setfacl -m u:nobody:r $M/f").ok("setfacl again");

        fs.unmountAndCheck();
        fs.mount("allow_other"); // without it FUSE refuses every user but the mounter
        assertTrue(fs.sh("getfacl -c $M/f $M/d/new").ok("getfacl after remount").out().contains("user:nobody:r--"));
        assertEquals("secret\n", fs.sh("runuser -u nobody -- cat $M/f").ok("after remount").out());
        assertEquals("by-nobody\n", fs.sh("cat $M/d/new").ok("cat").out());
        fs.unmountAndCheck();
    }
}
