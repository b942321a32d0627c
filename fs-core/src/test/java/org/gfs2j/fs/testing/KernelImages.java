package org.gfs2j.fs.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The kernel-written test images unpacked once per test JVM (256 MiB each) into a temporary
 * directory that is removed when the JVM exits. Tests must not modify these files; copy first.
 */
public final class KernelImages {
    private static final Map<String, Path> UNPACKED = new HashMap<>();
    private static Path dir;

    private KernelImages() {
    }

    public static synchronized Path get(String name) throws IOException {
        Path p = UNPACKED.get(name);
        if (p != null) {
            return p;
        }
        if (dir == null) {
            dir = Files.createTempDirectory("gfs2j-kernel-images");
            Path d = dir;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (var files = Files.list(d)) {
                    files.forEach(f -> f.toFile().delete());
                    Files.deleteIfExists(d);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }));
        }
        p = Gfs2Tools.kernelImage(dir, name);
        p.toFile().setReadOnly();
        UNPACKED.put(name, p);
        return p;
    }
}
