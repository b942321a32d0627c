package org.gfs2j.dlm.core;

final class Hex {
    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private Hex() {
    }

    static String of(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length * 2);
        for (byte x : b) {
            sb.append(DIGITS[(x >> 4) & 0xf]).append(DIGITS[x & 0xf]);
        }
        return sb.toString();
    }
}
