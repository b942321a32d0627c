package org.gfs2j.fs.meta;

import java.nio.charset.StandardCharsets;
import org.gfs2j.fs.ondisk.EaHeader;

/** One extended attribute: namespace type (EaHeader.TYPE_*), name without prefix, value. */
public record Xattr(int type, byte[] name, byte[] value) {
    /** The Linux name with its namespace prefix, e.g. {@code user.color}. */
    public String linuxName() {
        return EaHeader.prefix(type) + new String(name, StandardCharsets.UTF_8);
    }
}
