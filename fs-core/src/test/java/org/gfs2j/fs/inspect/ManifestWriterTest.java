package org.gfs2j.fs.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.testing.KernelImages;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The read path reproduces the manifests the Linux kernel's view produced, byte for byte. */
class ManifestWriterTest {
    @ParameterizedTest
    @ValueSource(strings = {"kernel-4k", "kernel-1k"})
    void manifestEqualsTheKernelsByteForByte(String name) throws Exception {
        Path img = KernelImages.get(name);
        String expected;
        try (InputStream in = getClass().getResourceAsStream("/images/" + name + ".manifest")) {
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (FileSystemReader fs = FileSystemReader.open(img)) {
            assertEquals(expected, new ManifestWriter(fs).manifest());
        }
    }
}
