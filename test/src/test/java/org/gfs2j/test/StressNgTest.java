package org.gfs2j.test;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * stress-ng's file-system stressors with {@code --verify}, two seconds each, one after the other
 * on one fresh gfs2j mount (a mount per stressor would triple the time), each in a directory of
 * its own. A stressor passes when it exits 0, reports no failure or error, does some work and
 * leaves its directory empty; after all of them the image must be fsck.gfs2-clean
 * ({@link #unmountAndCheck}).
 *
 * <p>{@link #KNOWN_MISSING} lists the stressors that need a feature gfs2j does not have yet, with
 * the reason. They are still run: if one fails it is reported as aborted (skipped) with that reason
 * and its output; if one passes, the test fails so that it is moved out of the list. Corruption
 * (fsck.gfs2 not clean) fails any stressor.
 */
class StressNgTest {
    @RegisterExtension
    static final GfsMount FS = GfsMount.perClass();

    /**
     * The known-missing stressors run on an image of their own: what they break (I/O through
     * handles of removed files, say) must not fail the supported stressors' fsck. Its fsck result is
     * printed, not asserted: those stressors are reported as aborted, never as passed.
     */
    @RegisterExtension
    static final GfsMount MISSING = GfsMount.perClass();

    @BeforeAll
    static void mount() throws Exception {
        GfsMount.requireTools("stress-ng");
        FS.formatImage(1024);
        FS.mount();
        MISSING.formatImage(1024);
        MISSING.mount();
    }

    @AfterAll
    static void unmountAndCheck() throws Exception {
        if (MISSING.mountpoint() != null) {
            MISSING.unmount();
            GfsMount.Result fsck = GfsMount.run(java.util.List.of("fsck.gfs2", "-n", MISSING.device().toString()));
            System.out.println("StressNgTest: fsck.gfs2 -n after the known-missing stressors: exit " + fsck.code()
                    + (fsck.code() == 0 ? "" : "\n" + GfsMount.tail(fsck.out(), 20)));
        }
        if (FS.mountpoint() != null) {
            FS.unmountAndCheck();
        }
    }

    /**
     * Stressor name, then options that keep it small: removing thousands of entries takes seconds
     * on gfs2j, so the namespace stressors make fewer (still enough for a hashed directory) or run
     * for one second; the data stressors' files fit the image. One xattr op sets attributes on one
     * file until the EA blocks are full (4,096 on GFS2, where ext4 stops after one block) and takes
     * 10-50 s on gfs2j (each setxattr walks every record: a known cost, see docs/mount.md), so it
     * runs for one op rather than for a time.
     */
    static Stream<String> stressors() {
        return Stream.of("dir --dir-dirs 256", "dentry --dentries 256", "rename", "link --timeout 1s",
                "symlink --timeout 1s", "xattr --xattr-ops 1 --timeout 100s", "flock", "fcntl", "lockf", "mmap --mmap-file --mmap-bytes 16M",
                "seek --seek-size 16M", "hdd --hdd-bytes 32M", "iomix --iomix-bytes 32M",
                "fallocate --fallocate-bytes 8M", "chmod", "chown", "utime", "sync-file --sync-file-bytes 32M");
    }

    /** Stressors that fail for a feature gfs2j lacks (or lacks fast enough), with why: enable one by removing it here. */
    static final Map<String, String> KNOWN_MISSING = Map.ofEntries();

    @ParameterizedTest(name = "{0}")
    @MethodSource("stressors")
    void stressorPassesWithVerify(String stressor) throws Exception {
        String name = stressor.split(" ")[0];
        String options = stressor.substring(name.length());
        if (!options.contains("--timeout")) {
            options += " --timeout 2s";
        }
        String reason = KNOWN_MISSING.get(name);
        GfsMount fs = reason == null ? FS : MISSING;
        GfsMount.Result r = fs.sh("T=$M/" + name + "; mkdir $T\n"
                + "set +e; stress-ng --" + name + " 1" + options + " --verify --metrics-brief --temp-path $T 2>&1; rc=$?; set -e\n"
                + "echo \"exit=$rc left=$(find $T -mindepth 1 | wc -l)\"", 120);
        assertTrue(fs.sh("stat $M >/dev/null && ls $M >/dev/null").code() == 0, "the mount stopped answering after "
                + name + ":\n" + r.out());

        // stress-ng may exit 0 after an error (it reports "error:" and stops early): all must hold.
        boolean passed = r.out().contains("exit=0 left=0") && !r.out().contains("fail:") && !r.out().contains("error:")
                && !r.out().contains("finished prematurely") && bogoOps(r.out(), name) > 0;
        if (reason == null) {
            assertTrue(passed, "stress-ng --" + stressor + ":\n" + r.out());
        } else if (passed) {
            fail("stress-ng --" + name + " now passes: remove it from StressNgTest.KNOWN_MISSING (" + reason + ")");
        } else {
            abort("known missing: " + reason + "\n" + GfsMount.tail(r.out(), 8));
        }
    }

    /** The bogo-op count of the metrics line "stress-ng: metrc: [pid] NAME OPS ...", or -1. */
    static long bogoOps(String out, String name) {
        Matcher m = Pattern.compile("metrc: \\[\\d+\\] " + Pattern.quote(name) + " +(\\d+) ").matcher(out);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }
}
