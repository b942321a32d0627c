package org.gfs2j.fs.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.gfs2j.fs.meta.Xattr;
import org.gfs2j.fs.ondisk.EaHeader;
import org.gfs2j.fs.ondisk.PosixAcl;
import org.junit.jupiter.api.Test;

/** getfattr value encoding, getfacl text of ACLs, ls mode strings. */
class TextFormatTest {

    private static Xattr user(String name, byte[] value) {
        return new Xattr(EaHeader.TYPE_USER, name.getBytes(StandardCharsets.UTF_8), value);
    }

    @Test
    void getfattrEncodesLikeGetfattr() {
        assertEquals("user.a=\"blue\"", XattrText.line(user("a", "blue".getBytes(StandardCharsets.UTF_8))));
        assertEquals("user.a=\"\"", XattrText.line(user("a", new byte[0])));
        // a trailing NUL is not shown and not counted as non-printable
        assertEquals("user.a=\"ctx\"", XattrText.line(user("a", new byte[] {'c', 't', 'x', 0})));
        assertEquals("user.a=\"quote\\\"back\\\\slash\\012newline\"",
                XattrText.line(user("a", "quote\"back\\slash\nnewline".getBytes(StandardCharsets.UTF_8))));
        assertEquals("user.a=0scSJiXHMKbg==", XattrText.line(user("a", "q\"b\\s\nn".getBytes(StandardCharsets.UTF_8))));
        assertEquals("user.a=0sAAEC", XattrText.line(user("a", new byte[] {0, 1, 2})));
        // 1 non-printable byte in 8 is still text; in 7 it is base64
        assertEquals("user.a=\"abcdefg\\000h\"", XattrText.line(user("a", new byte[] {'a', 'b', 'c', 'd', 'e', 'f', 'g', 0, 'h'})));
        assertEquals("user.a=\"abcdef\\000g\"", XattrText.line(user("a", new byte[] {'a', 'b', 'c', 'd', 'e', 'f', 0, 'g'})));
        assertEquals("user.a=0sYWJjZGUAZw==", XattrText.line(user("a", new byte[] {'a', 'b', 'c', 'd', 'e', 0, 'g'})));
        assertEquals("# file: a\\012b", XattrText.fileHeader("a\nb"));
    }

    @Test
    void aclsAsGetfaclText() throws Exception {
        PosixAcl acl = new PosixAcl(List.of(PosixAcl.Entry.of(PosixAcl.USER_OBJ, 7), new PosixAcl.Entry(PosixAcl.USER, 7, 1000),
                PosixAcl.Entry.of(PosixAcl.GROUP_OBJ, 5), new PosixAcl.Entry(PosixAcl.GROUP, 6, 100),
                PosixAcl.Entry.of(PosixAcl.MASK, 4), PosixAcl.Entry.of(PosixAcl.OTHER, 0)));
        Xattr access = new Xattr(EaHeader.TYPE_SYSTEM, PosixAcl.ACCESS_NAME.getBytes(StandardCharsets.UTF_8), acl.encode());
        assertEquals(List.of("user::rwx", "user:1000:rwx\t#effective:r--", "group::r-x\t#effective:r--",
                "group:100:rw-\t#effective:r--", "mask::r--", "other::---"), XattrText.aclLines(access));
        Xattr def = new Xattr(EaHeader.TYPE_SYSTEM, PosixAcl.DEFAULT_NAME.getBytes(StandardCharsets.UTF_8),
                PosixAcl.fromMode(0750).encode());
        assertEquals(List.of("default:user::rwx", "default:group::r-x", "default:other::---"), XattrText.aclLines(def));
        assertEquals(true, XattrText.isAcl(def));
    }

    @Test
    void modeStrings() {
        assertEquals("-rwsr-xr-x", ModeString.of(0104755));
        assertEquals("-rwSr--r--", ModeString.of(0104644));
        assertEquals("drwxrwxrwt", ModeString.of(041777));
        assertEquals("drwxr-s--T", ModeString.of(043750));
        assertEquals("lrwxrwxrwx", ModeString.of(0120777));
        assertEquals("crw-r--r--", ModeString.of(0020644));
        assertEquals("brw-rw----", ModeString.of(0060660));
        assertEquals("prw-r--r--", ModeString.of(0010644));
        assertEquals("srwxr-xr-x", ModeString.of(0140755));
        assertEquals("jdata|exhash|system", InodeReport.flags(0x203));
        assertEquals("none", InodeReport.flags(0));
        assertEquals("bit12|inherit_jdata", InodeReport.flags(0x80001000));
        assertEquals("@18446744073709551615", Times.seconds(-1));
    }
}
