package org.gfs2j.fs.inspect;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.gfs2j.fs.meta.Xattr;
import org.gfs2j.fs.ondisk.EaHeader;
import org.gfs2j.fs.ondisk.PosixAcl;
import org.gfs2j.journal.format.CorruptMetadataException;

/**
 * Text forms of extended attributes: {@code getfattr -d -m -} lines (names sorted bytewise,
 * values as "text" when at most 1/8 of the bytes are non-printable, else base64 with {@code 0s})
 * and POSIX ACL values decoded to getfacl text.
 */
public final class XattrText {
    private XattrText() {
    }

    /** Attributes sorted the way getfattr prints them (strcmp of the Linux names). */
    public static List<Xattr> sorted(List<Xattr> attrs) {
        List<Xattr> out = new ArrayList<>(attrs);
        out.sort(Comparator.comparing((Xattr x) -> x.linuxName().getBytes(StandardCharsets.UTF_8), java.util.Arrays::compareUnsigned));
        return out;
    }

    /** One {@code name=value} line as getfattr -d prints it. */
    public static String line(Xattr x) {
        return quote(x.linuxName().getBytes(StandardCharsets.UTF_8), "=\n\r") + "=" + encode(x.value());
    }

    /** A "# file: PATH" header line (getfattr quoting of newlines and backslashes). */
    public static String fileHeader(String path) {
        return "# file: " + quote(path.getBytes(StandardCharsets.UTF_8), "\n\r");
    }

    /** getfattr's automatic encoding of a value. */
    public static String encode(byte[] v) {
        return wellEnoughPrintable(v) ? text(v) : "0s" + java.util.Base64.getEncoder().encodeToString(v);
    }

    private static boolean wellEnoughPrintable(byte[] v) {
        int size = v.length;
        if (size > 0 && v[size - 1] == 0) {
            size--;
        }
        int nonpr = 0;
        for (int i = 0; i < size; i++) {
            if (!isPrint(v[i])) {
                nonpr++;
            }
        }
        return size >= nonpr * 8;
    }

    private static boolean isPrint(byte b) {
        return b >= 0x20 && b < 0x7f;
    }

    private static String text(byte[] v) {
        StringBuilder s = new StringBuilder(v.length + 2).append('"');
        for (int i = 0; i < v.length; i++) {
            byte b = v[i];
            if (b == 0 && i + 1 == v.length) {
                break;
            }
            if (b == 0 || b == '\n' || b == '\r') {
                octal(s, b);
            } else if (b == '\\' || b == '"') {
                s.append('\\').append((char) b);
            } else {
                s.append((char) (b & 0xff));
            }
        }
        return s.append('"').toString();
    }

    private static String quote(byte[] raw, String chars) {
        StringBuilder s = new StringBuilder();
        boolean plain = true;
        for (byte b : raw) {
            if (b == '\\' || chars.indexOf(b) >= 0) {
                plain = false;
            }
        }
        if (plain) {
            return new String(raw, StandardCharsets.UTF_8);
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte b : raw) {
            if (b == '\\' || chars.indexOf(b) >= 0) {
                octal(s, b);
                out.writeBytes(s.toString().getBytes(StandardCharsets.US_ASCII));
                s.setLength(0);
            } else {
                out.write(b);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void octal(StringBuilder s, byte b) {
        int c = b & 0xff;
        s.append('\\').append((char) ('0' + (c >> 6))).append((char) ('0' + ((c >> 3) & 7))).append((char) ('0' + (c & 7)));
    }

    /** True for the two ACL attributes. */
    public static boolean isAcl(Xattr x) {
        String n = new String(x.name(), StandardCharsets.UTF_8);
        return x.type() == EaHeader.TYPE_SYSTEM && (n.equals(PosixAcl.ACCESS_NAME) || n.equals(PosixAcl.DEFAULT_NAME));
    }

    /** getfacl-style lines of an ACL value ("default:" prefixed for the default ACL). */
    public static List<String> aclLines(Xattr x) throws CorruptMetadataException {
        PosixAcl acl = PosixAcl.decode(x.value(), -1);
        String prefix = new String(x.name(), StandardCharsets.UTF_8).equals(PosixAcl.DEFAULT_NAME) ? "default:" : "";
        int mask = 7;
        boolean hasMask = false;
        for (PosixAcl.Entry e : acl.entries()) {
            if (e.tag() == PosixAcl.MASK) {
                mask = e.perm();
                hasMask = true;
            }
        }
        List<String> out = new ArrayList<>();
        for (PosixAcl.Entry e : acl.entries()) {
            String tag;
            switch (e.tag()) {
                case PosixAcl.USER_OBJ: tag = "user::"; break;
                case PosixAcl.USER: tag = "user:" + e.id() + ":"; break;
                case PosixAcl.GROUP_OBJ: tag = "group::"; break;
                case PosixAcl.GROUP: tag = "group:" + e.id() + ":"; break;
                case PosixAcl.MASK: tag = "mask::"; break;
                default: tag = "other::"; break;
            }
            String line = prefix + tag + perm(e.perm());
            boolean masked = e.tag() == PosixAcl.USER || e.tag() == PosixAcl.GROUP || e.tag() == PosixAcl.GROUP_OBJ;
            if (hasMask && masked && (e.perm() & mask) != e.perm()) {
                line += "\t#effective:" + perm(e.perm() & mask);
            }
            out.add(line);
        }
        return out;
    }

    private static String perm(int p) {
        return "" + ((p & 4) != 0 ? 'r' : '-') + ((p & 2) != 0 ? 'w' : '-') + ((p & 1) != 0 ? 'x' : '-');
    }
}
