package org.gfs2j.fuse.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MountInfoTest {
    private static final List<String> LINES = List.of(
            "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw",
            // optional fields between options and "-"; space, tab, backslash escaped in mountpoint and source
            "40 22 0:45 / /mnt/my\\040dir rw,nosuid shared:7 master:3 - fuse.gfs2j /dev/loop0\\011x\\134y rw,user_id=0",
            "41 40 0:46 / /mnt/my\\040dir rw - tmpfs tmpfs rw",
            "truncated line without separator",
            "42 22 0:47 / /trailing\\04 rw - tmpfs",
            "43 22 0:48 / /odd\\9xyz rw - proc proc rw");

    @Test
    void parsesFieldsAroundTheSeparatorAndDecodesEscapes() {
        List<MountInfo.Mount> m = MountInfo.parse(LINES);
        assertEquals(4, m.size(), "lines without '-' or without fstype and source are skipped");
        assertEquals(new MountInfo.Mount("/", "ext4", "/dev/sda1"), m.get(0));
        assertEquals(new MountInfo.Mount("/mnt/my dir", "fuse.gfs2j", "/dev/loop0\tx\\y"), m.get(1));
        assertEquals("/odd\\9xyz", m.get(3).mountpoint(), "a backslash not starting an octal escape is kept");
    }

    @Test
    void topmostMountWins() {
        List<MountInfo.Mount> m = MountInfo.parse(LINES);
        assertEquals("tmpfs", MountInfo.topmost(m, Path.of("/mnt/my dir")).orElseThrow().fstype());
        assertFalse(MountInfo.topmost(m, Path.of("/mnt")).isPresent());
    }

    @Test
    void readsThisProcessRootMount() throws Exception {
        assertTrue(MountInfo.at(Path.of("/")).isPresent(), "/ is always a mount point");
    }
}
