package org.gfs2j.dlm.core;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A resource name (1..64 bytes, may be binary) usable as a map key. */
public final class ResourceName implements Comparable<ResourceName> {
    public static final int MAX_LENGTH = 64;

    private final byte[] bytes;
    private final int hash;

    private ResourceName(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    public static ResourceName of(byte[] bytes) {
        return new ResourceName(bytes.clone());
    }

    public static ResourceName of(String ascii) {
        return new ResourceName(ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    static ResourceName wrap(byte[] bytes) {
        return new ResourceName(bytes);
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    byte[] raw() {
        return bytes;
    }

    public int length() {
        return bytes.length;
    }

    /** FNV-1a: every member computes the same directory node for the same name and member list. */
    public int stableHash() {
        int h = 0x811c9dc5;
        for (byte b : bytes) {
            h ^= b & 0xff;
            h *= 0x01000193;
        }
        return h;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResourceName && Arrays.equals(bytes, ((ResourceName) o).bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public int compareTo(ResourceName o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    /** Printable names as quoted text, binary ones as hex. */
    @Override
    public String toString() {
        boolean printable = true;
        for (byte b : bytes) {
            if (b < 0x20 || b > 0x7e) {
                printable = false;
                break;
            }
        }
        if (printable) {
            return "\"" + new String(bytes, StandardCharsets.ISO_8859_1) + "\"";
        }
        return "0x" + Hex.of(bytes);
    }
}
