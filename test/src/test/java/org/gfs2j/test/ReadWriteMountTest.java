package org.gfs2j.test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.gfs2j.cli.Gfs2jCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end through the kernel: mkfs, {@code gfs2j mount} read-write, a shell workload (mkdir -p,
 * dd of awkward sizes, cp -a of a tree, mv, ln, ln -s, rm, chmod, truncate, sync) checked through
 * the mount, umount, fsck.gfs2 -n clean, a read-only remount with the same md5s, and the image
 * read without mounting (gfs2j ls -R / cat) agreeing.
 */
class ReadWriteMountTest {
    @TempDir
    Path dir;

    record Result(int code, String out) {
    }

    private static Result sh(String script) throws Exception {
        Process p = new ProcessBuilder("/bin/bash", "-c", script).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "script did not finish: " + script);
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static synchronized byte[] gfs2j(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true));
            assertEquals(0, Gfs2jCommand.execute(args), String.join(" ", args));
            System.out.flush();
        } finally {
            System.setOut(old);
        }
        return out.toByteArray();
    }

    private static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("docs")) && Files.isRegularFile(p.resolve("pom.xml"))
                    && Files.isDirectory(p.resolve("fs-core"))) {
                return p;
            }
        }
        throw new IllegalStateException("repository root not found");
    }

    @Test
    void shellWorkloadOnAReadWriteMount() throws Exception {
        assumeTrue(sh("id -u").out().trim().equals("0"), "needs root");
        assumeTrue(Files.isWritable(Path.of("/dev/fuse")), "needs /dev/fuse");
        assumeTrue(sh("command -v fsck.gfs2 md5sum truncate").code() == 0, "needs fsck.gfs2, md5sum, truncate");

        Path img = dir.resolve("rw.img");
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(256L << 20);
        }
        assertEquals(0, Gfs2jCommand.execute("mkfs", "-O", "-q", "-p", "lock_nolock", img.toString()));
        Path mp = Files.createDirectory(dir.resolve("mnt"));
        Path scratch = Files.createDirectory(dir.resolve("scratch"));
        Path docs = repoRoot().resolve("docs");
        String env = "set -eu; M='" + mp + "'; S='" + scratch + "'; D='" + docs + "'; ";

        assertEquals(0, Gfs2jCommand.execute("mount", img.toString(), mp.toString()));
        try {
            Result w = sh(env
                    + "mkdir -p $M/a/b/c\n"
                    + "for n in 0 1 3000 5000 1048576 5242883; do\n"
                    + "  head -c $n /dev/urandom > $S/f$n\n"
                    + "  dd if=$S/f$n of=$M/a/b/f$n bs=4096 status=none\n"
                    + "done\n"
                    + "dd if=/dev/urandom of=$M/a/gone bs=1000 count=9 status=none\n"
                    + "cp -a $D $M/docs\n"
                    + "mv $M/a/b/f3000 $M/a/moved3000\n"
                    + "ln $M/a/b/f5000 $M/a/hard5000\n"
                    + "ln -s b/f1 $M/a/sym1\n"
                    + "rm $M/a/gone\n"
                    + "chmod 640 $M/a/b/f1\n"
                    + "truncate -s 1000 $M/a/b/f1048576; head -c 1000 $S/f1048576 > $S/t1000\n"
                    + "printf appended >> $M/a/b/f1; cat $S/f1 > $S/f1a; printf appended >> $S/f1a\n"
                    + "sync\n");
            assertEquals(0, w.code(), w.out());

            Result v = sh(env
                    + "for n in 0 5000 5242883; do cmp $S/f$n $M/a/b/f$n; done\n"
                    + "cmp $S/f3000 $M/a/moved3000; cmp $S/f5000 $M/a/hard5000; cmp $S/t1000 $M/a/b/f1048576\n"
                    + "cmp $S/f1a $M/a/sym1\n"
                    + "diff -r $D $M/docs\n"
                    + "echo links=$(stat -c %h $M/a/hard5000) mode=$(stat -c %a $M/a/b/f1) size=$(stat -c %s $M/a/b/f5242883)"
                    + " target=$(readlink $M/a/sym1)\n"
                    + "test ! -e $M/a/gone && test ! -e $M/a/b/f3000 && echo removed\n"
                    + "(cd $M && find . -type f -print0 | sort -z | xargs -0 md5sum) > $S/manifest\n"
                    + "(cd $D && find . -type f -print0 | sort -z | xargs -0 md5sum) | sed 's#  \\./#  ./docs/#' > $S/docs.md5\n"
                    + "(cd $M && md5sum --quiet -c $S/docs.md5)\n");
            assertEquals(0, v.code(), v.out());
            assertTrue(v.out().contains("links=2 mode=640 size=5242883 target=b/f1"), v.out());
            assertTrue(v.out().contains("removed"), v.out());
        } finally {
            int u = Gfs2jCommand.execute("umount", mp.toString());
            assertTrue(sh("findmnt -n '" + mp + "'").out().isBlank(), "still mounted (umount exit " + u + ")");
        }

        Result fsck = sh("fsck.gfs2 -n '" + img + "'");
        assertEquals(0, fsck.code(), fsck.out());

        assertEquals(0, Gfs2jCommand.execute("mount", "-o", "ro", img.toString(), mp.toString()));
        try {
            Result ro = sh("set -eu; cd '" + mp + "' && md5sum --quiet -c '" + scratch.resolve("manifest") + "'"
                    + " && (find . -type f | wc -l)");
            assertEquals(0, ro.code(), ro.out());
        } finally {
            Gfs2jCommand.execute("umount", mp.toString());
            assertTrue(sh("findmnt -n '" + mp + "'").out().isBlank());
        }

        // Read without mounting: the same bytes and names.
        assertArrayEquals(Files.readAllBytes(scratch.resolve("f5242883")),
                gfs2j("cat", img.toString(), "/a/b/f5242883"));
        assertArrayEquals(Files.readAllBytes(scratch.resolve("t1000")), gfs2j("cat", img.toString(), "/a/b/f1048576"));
        String listing = new String(gfs2j("ls", "-R", img.toString()), StandardCharsets.ISO_8859_1);
        for (String name : new String[] {"moved3000", "hard5000", "sym1", "f5242883", "f0", "mount.md"}) {
            assertTrue(listing.contains(name), name + " missing from:\n" + listing);
        }
        assertFalse(listing.contains("gone"), listing);
        assertFalse(listing.contains("f3000"), listing);
    }
}
