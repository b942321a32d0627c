package org.gfs2j.bench.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gfs2j target's mount path, driven by a stand-in for the gfs2j CLI (a shell script whose
 * {@code mount} runs a FUSE daemon in the foreground, as gfs2j's will): set-up waits for the mount,
 * tear-down unmounts through {@code gfs2j umount} and waits for the daemon to exit, and a mount that
 * fails is reported with its own message. Root, bindfs and the ext4 tools are needed.
 */
class Gfs2jTargetTest {
    private static final String FAKE_GFS2J = """
            #!/bin/bash
            # Stand-in for the gfs2j CLI: ext4 in the image, shown through a foreground bindfs daemon.
            verb=$1; shift
            case "$verb" in
              --version) echo "gfs2j stand-in"; exit 0 ;;
            esac
            if [ "$1" = --help ]; then echo "Usage: gfs2j $verb [OPTIONS]"; exit 0; fi
            case "$verb" in
              mkfs) img=${@: -1}; mkfs.ext4 -q -F "$img" ;;
              mount)
                img=${@: -2:1}; mnt=${@: -1}
                if [ -n "$FAIL_MOUNT" ]; then echo "gfs2j mount: cannot open $img: not a GFS2 file system" >&2; exit 1; fi
                mkdir -p "$mnt.lower" && mount -o loop "$img" "$mnt.lower" || exit 1
                exec bindfs -f "$mnt.lower" "$mnt" ;;
              umount)
                mnt=$1; fusermount3 -u "$mnt" || exit 1
                for i in $(seq 50); do umount "$mnt.lower" 2>/dev/null && exit 0; sleep 0.1; done; exit 1 ;;
              *) echo "Unmatched argument: $verb" >&2; exit 2 ;;
            esac
            """;

    private Path work;
    private Path script;

    @BeforeEach
    void fakeCli() throws IOException {
        assumeTrue(Privileges.isRoot(), "needs root for loop devices and mounts");
        for (String tool : List.of("bindfs", "fusermount3", "mkfs.ext4", "losetup", "mount")) {
            assumeTrue(Commands.exists(tool), tool + " is not installed");
        }
        work = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "gfs2j-target").toAbsolutePath();
        script = Files.createDirectories(work.resolve("bin")).resolve("gfs2j");
        Files.writeString(script, FAKE_GFS2J);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void cleanUp() throws IOException {
        if (work != null) {
            FsBench.cleanLeftovers(work);
            FileTrees.deleteRecursively(work);
        }
    }

    @Test
    void mountsThroughAForegroundDaemonAndUnmountsThroughGfs2jUmount() throws Exception {
        Gfs2jTarget target = new Gfs2jTarget(new TargetOptions(64L << 20, List.of(script.toString())));
        assertEquals(Optional.empty(), target.unavailableReason());
        assertEquals("gfs2j stand-in", target.versions());
        try {
            Path mnt = target.setUp(work);
            assertTrue(Mounts.isMounted(mnt));
            Files.writeString(mnt.resolve("hello"), "through the daemon");
            assertEquals("through the daemon", Files.readString(mnt.resolve("hello")));
        } finally {
            target.tearDown();
        }
        assertEquals(List.of(), Mounts.under(work), "mounts left behind");
        assertEquals(List.of(), LoopDevice.backedBy(work), "loop devices left behind");
        assertFalse(Files.exists(work.resolve("gfs2j/image.img")), "image left behind");
    }

    @Test
    void aMountThatFailsIsReportedWithItsOwnMessage() throws Exception {
        Path failing = work.resolve("bin/gfs2j-failing");
        Files.writeString(failing, "#!/bin/bash\nFAIL_MOUNT=1 exec " + script + " \"$@\"\n");
        Files.setPosixFilePermissions(failing, PosixFilePermissions.fromString("rwxr-xr-x"));
        Gfs2jTarget target = new Gfs2jTarget(new TargetOptions(64L << 20, List.of(failing.toString())));
        try {
            IOException e = assertThrows(IOException.class, () -> target.setUp(work));
            assertEquals("gfs2j mount exited 1: gfs2j mount: cannot open " + work.resolve("gfs2j/image.img")
                    + ": not a GFS2 file system", e.getMessage());
        } finally {
            target.tearDown();
        }
        assertEquals(List.of(), Mounts.under(work));
        assertFalse(Files.exists(work.resolve("gfs2j/image.img")));
    }

    @Test
    void aCliWithoutTheVerbsIsUnavailableWithAReason() {
        Gfs2jTarget target = new Gfs2jTarget(new TargetOptions(64L << 20, List.of("/bin/false")));
        assertEquals(Optional.of("this gfs2j has no 'mkfs' verb yet"), target.unavailableReason());
        Gfs2jTarget missing = new Gfs2jTarget(new TargetOptions(64L << 20, List.of(work.resolve("nope").toString())));
        assertTrue(missing.unavailableReason().orElseThrow().endsWith("nope is not an executable"));
    }
}
