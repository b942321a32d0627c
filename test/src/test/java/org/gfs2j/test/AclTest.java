package org.gfs2j.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * POSIX ACLs through the kernel on a gfs2j mount, checked as user {@code nobody}: a file mode 600
 * is unreadable to nobody, {@code setfacl -m u:nobody:r} makes it readable (getfacl shows the
 * entry; writing stays denied), {@code setfacl -x} takes it back; a directory's default ACL is
 * inherited by a new file (nobody may then write it); the ACLs survive a remount and the image is
 * fsck.gfs2-clean. The mount has allow_other (else no user but root gets in at all), and a 644
 * file nobody can read shows that the denials are the ACLs' and the modes' doing.
 */
class AclTest {
    @RegisterExtension
    final GfsMount fs = new GfsMount();

    @Test
    void accessAndDefaultAclsDecideWhatNobodyMayDo() throws Exception {
        GfsMount.requireTools("setfacl", "getfacl", "runuser");
        assertEquals(0, GfsMount.run(java.util.List.of("id", "nobody")).code(), "user nobody is missing");
        fs.formatImage(256);
        // allow_other: without it the kernel lets no user but the mounting one in at all.
        fs.mount("allow_other");
        // nobody must be able to reach the mount point (the fixture's temporary directory is 0700).
        fs.sh("chmod 755 \"$(dirname $M)\"; echo secret > $M/f; chmod 600 $M/f; mkdir $M/d; chmod 777 $M/d;"
                + " echo public > $M/pub").ok("setup");
        assertEquals("public\n", fs.sh("runuser -u nobody -- cat $M/pub").ok("nobody reads a 644 file").out());
        assertDenied("runuser -u nobody -- cat $M/f", "mode 600 keeps nobody out");

        fs.sh("setfacl -m u:nobody:r $M/f").ok("setfacl -m u:nobody:r");
        assertTrue(fs.sh("getfacl -c $M/f").ok("getfacl").out().contains("user:nobody:r--"), "getfacl shows the entry");
        assertEquals("secret\n", fs.sh("runuser -u nobody -- cat $M/f").ok("nobody reads through the ACL").out());
        assertDenied("runuser -u nobody -- sh -c \"echo x >> $M/f\"", "the ACL grants no write");

        // chmod 770 sets the ACL mask to rwx: nobody keeps rw- (750 would leave r--).
        fs.sh("setfacl -d -m u:nobody:rw $M/d && setfacl -m o::rx $M/d && touch $M/d/new && echo old > $M/d/new"
                + " && chmod 770 $M/d/new").ok("default ACL");
        String inherited = fs.sh("getfacl -c $M/d/new").ok("getfacl of the new file").out();
        assertTrue(inherited.contains("user:nobody:rw-"), "the new file inherits the default ACL:\n" + inherited);
        fs.sh("runuser -u nobody -- sh -c \"echo by-nobody > $M/d/new\"").ok("nobody writes through the inherited ACL");

        fs.sh("setfacl -x u:nobody $M/f").ok("setfacl -x");
        assertDenied("runuser -u nobody -- cat $M/f", "removing the entry takes the access back");
        fs.sh("setfacl -m u:nobody:r $M/f").ok("setfacl again");

        fs.unmountAndCheck();
        fs.mount("allow_other");
        assertTrue(fs.sh("getfacl -c $M/f $M/d/new").ok("getfacl after remount").out().contains("user:nobody:r--"));
        assertEquals("secret\n", fs.sh("runuser -u nobody -- cat $M/f").ok("after remount").out());
        assertEquals("by-nobody\n", fs.sh("cat $M/d/new").ok("cat").out());
        fs.unmountAndCheck();
    }

    /** The command fails for want of permission (not for a wrong path or a missing tool). */
    private void assertDenied(String script, String why) throws Exception {
        GfsMount.Result r = fs.sh(script);
        assertNotEquals(0, r.code(), why + ": " + r.out());
        assertTrue(r.out().contains("Permission denied"), why + ": " + r.out());
    }
}
