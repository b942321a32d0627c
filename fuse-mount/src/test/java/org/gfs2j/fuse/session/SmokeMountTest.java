package org.gfs2j.fuse.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;

import org.junit.jupiter.api.Test;

class SmokeMountTest {
    @Test
    void writeAndReadBack() throws Exception {
        try (MountFixture m = MountFixture.mount()) {
            Files.writeString(m.path("a"), "hello");
            assertEquals("hello", Files.readString(m.path("a")));
            MountFixture.Result r = MountFixture.sh("cd " + m.dir + " && mkdir d && echo x > d/f && ls -la . d && cat d/f && stat -f . && mount | grep gfs2j");
            System.out.println(r.out());
            assertEquals(0, r.exit(), r.out());
        }
    }
}
