package org.gfs2j.test;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * fio with crc32c verification on gfs2j: 64 MiB written sequentially or at random offsets (mixed
 * block sizes) and verified as it goes, then, after an unmount, fsck.gfs2 -n clean and a remount,
 * verified again from the device alone ({@code --verify_only}: nothing is cached any more).
 */
class FioVerifyTest {
    @RegisterExtension
    final GfsMount fs = new GfsMount();

    @ParameterizedTest
    @ValueSource(strings = {"write", "randwrite"})
    void writtenDataVerifiesBeforeAndAfterARemount(String pattern) throws Exception {
        GfsMount.requireTools("fio");
        fs.formatImage(256);
        fs.mount();
        String job = "fio --name=v --directory=$M --filename=data --rw=" + pattern + " --size=64M --bsrange=4k-256k"
                + " --ioengine=psync --verify=crc32c --verify_fatal=1 --randrepeat=1 --randseed=42 --end_fsync=1"
                + " --output-format=terse --terse-version=3";
        fs.sh(job + " --do_verify=1 >/dev/null").ok("fio " + pattern + " with verify");
        fs.unmountAndCheck();
        fs.mount();
        fs.sh("test $(stat -c %s $M/data) -eq $((64 << 20))\n" + job + " --verify_only >/dev/null")
                .ok("fio --verify_only after a remount");
        fs.unmountAndCheck();
    }
}
