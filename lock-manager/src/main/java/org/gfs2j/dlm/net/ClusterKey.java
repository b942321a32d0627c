package org.gfs2j.dlm.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The shared cluster key: a file of mode 0600 holding at least 32 random bytes as hex (one line).
 * Every node of the cluster has the same file; it authenticates connections (mutual
 * challenge-response) and keys the per-connection frame MACs.
 */
public final class ClusterKey {
    public static final int MIN_BYTES = 32;
    private final byte[] key;

    private ClusterKey(byte[] key) {
        this.key = key;
    }

    public static ClusterKey of(byte[] key) {
        if (key.length < MIN_BYTES) {
            throw new IllegalArgumentException("cluster key must have at least " + MIN_BYTES + " bytes");
        }
        return new ClusterKey(key.clone());
    }

    /** Loads a key file, refusing one that others can read or write. */
    public static ClusterKey load(Path file) throws IOException {
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException e) {
            perms = Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        }
        Set<PosixFilePermission> allowed = Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        if (!allowed.containsAll(perms)) {
            throw new IOException("cluster key " + file + " has mode " + PosixFilePermissions.toString(perms)
                    + "; it must be rw------- (0600)");
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        byte[] bytes;
        try {
            bytes = HexFormat.of().parseHex(text);
        } catch (IllegalArgumentException e) {
            throw new IOException("cluster key " + file + " is not one line of hex digits");
        }
        if (bytes.length < MIN_BYTES) {
            throw new IOException("cluster key " + file + " has " + bytes.length + " bytes; at least " + MIN_BYTES + " needed");
        }
        return new ClusterKey(bytes);
    }

    /** Writes a new random key file with mode 0600. */
    public static ClusterKey generate(Path file) throws IOException {
        byte[] bytes = new byte[MIN_BYTES];
        new SecureRandom().nextBytes(bytes);
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, HexFormat.of().formatHex(bytes) + "\n", StandardCharsets.US_ASCII);
        return new ClusterKey(bytes);
    }

    /** HMAC-SHA256 under this key over the concatenation of {@code parts}. */
    public byte[] hmac(byte[]... parts) {
        return hmacWithKey(key, parts);
    }

    static byte[] hmacWithKey(byte[] key, byte[]... parts) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            for (byte[] p : parts) {
                mac.update(p);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    static Mac macFor(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
