package org.gfs2j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The read-only verbs through Gfs2jCommand.execute on the kernel-written 4K image, good and bad inputs. */
class ReadVerbsTest {
    @TempDir
    static Path dir;
    static Path img;

    record Run(int exit, byte[] out, String err) {
        String text() {
            return new String(out, StandardCharsets.UTF_8);
        }
    }

    @BeforeAll
    static void unpack() throws Exception {
        img = dir.resolve("kernel-4k.img");
        // the images live in fs-core's test resources; Maven runs tests from the module directory
        Path gz = Path.of("..", "fs-core", "src", "test", "resources", "images", "kernel-4k.img.gz");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz), 1 << 16)) {
            Files.copy(in, img);
        }
    }

    static synchronized Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = Gfs2jCommand.execute(args);
            System.out.flush();
            System.err.flush();
            return new Run(exit, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    static void assertNoStackTrace(Run r) {
        assertFalse(r.err.contains("\tat "), r.err);
        assertFalse(r.err.contains("Exception"), r.err);
    }

    @Test
    void lsListsRootAndLongFormat() {
        Run r = run("ls", img.toString());
        assertEquals(0, r.exit, r.err);
        assertEquals("tree\n", r.text());
        r = run("ls", img.toString(), "/tree", "-l");
        assertEquals(0, r.exit, r.err);
        assertTrue(r.text().matches("(?s).*\nlrwxrwxrwx 1 0 0 9 \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d symlink -> hello.txt\n.*"), r.text());
        assertTrue(r.text().matches("(?s).*\ncrw-r--r-- 1 0 0 1, 3 [-0-9]+ [:0-9]+ null\n.*"), r.text());
        assertTrue(r.text().matches("(?s).*\ndrwxrwxrwt 2 0 0 3864 [-0-9]+ [:0-9]+ empty\n.*"), r.text());
        assertTrue(r.text().startsWith("-rw-r--r-- 1 1000 1000 1048576 "), r.text());
        r = run("ls", img.toString(), "/tree/a/4096", "-l");
        assertTrue(r.text().startsWith("-rwsr-xr-x 1 0 0 4096 "), r.text());
    }

    @Test
    void lsRecursive() {
        Run r = run("ls", "-R", img.toString(), "/tree/a");
        assertEquals(0, r.exit, r.err);
        assertEquals("/tree/a:\n4096\nb\nhardlink\n\n/tree/a/b:\n4097\nc\n\n/tree/a/b/c:\n64k1\n", r.text());
        r = run("ls", "-R", "-l", img.toString());
        assertEquals(0, r.exit, r.err);
        assertEquals(7, r.text().lines().filter(l -> l.endsWith(":")).count(), r.text());
        assertTrue(r.text().contains("/tree/big:\n"));
        assertEquals(2000, r.text().lines().filter(l -> l.contains(" entry-with-a-longish-name-")).count());
    }

    @Test
    void catStreamsFilesAndFollowsSymlinks() throws Exception {
        Run r = run("cat", img.toString(), "/tree/hello.txt");
        assertEquals(0, r.exit, r.err);
        assertArrayEquals("hello\n".getBytes(StandardCharsets.US_ASCII), r.out);
        assertArrayEquals(r.out, run("cat", img.toString(), "/tree/symlink").out);
        r = run("cat", img.toString(), "/tree/5m3");
        assertEquals("3b50f5c3496feff0b7761aeefb055865", HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(r.out)));
        r = run("cat", img.toString(), "/tree/sparse");
        assertEquals("8c856ef6d226099087119531bbe0034d", HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(r.out)));
    }

    @Test
    void statPrintsEveryField() {
        Run r = run("stat", img.toString(), "/tree/a/b/4097");
        assertEquals(0, r.exit, r.err);
        String t = r.text();
        for (String field : new String[] {"Block: ", "Formal inode number: ", "Mode: 0100664 (-rw-rw-r--)", "Links: 1", "Size: 4097",
            "Blocks (di_blocks): 4", "Height: 1", "Depth: 0", "Flags: 0x00000000 (none)", "Eattr: ", "Generation: ", "Goal meta: "}) {
            assertTrue(t.contains(field), field + " in\n" + t);
        }
        assertTrue(t.matches("(?s).*Modify: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{9} UTC.*"), t);
        r = run("stat", img.toString(), "/tree/big");
        assertTrue(r.text().contains("Flags: 0x00000003 (jdata|exhash)"), r.text());
        assertTrue(r.text().contains("Depth: 8"), r.text());
    }

    @Test
    void getfattrDumpsAndDecodesAcls() {
        Run r = run("getfattr", img.toString(), "/tree/a/b/4097");
        assertEquals(0, r.exit, r.err);
        assertEquals("# file: tree/a/b/4097\n"
                + "system.posix_acl_access=0sAgAAAAEABgD/////AgAGAOgDAAAEAAQA/////wgABABkAAAAEAAGAP////8gAAQA/////w==\n\n"
                + "# acl: system.posix_acl_access\nuser::rw-\nuser:1000:rw-\ngroup::r--\ngroup:100:r--\nmask::rw-\nother::r--\n\n",
                r.text());
        r = run("getfattr", img.toString(), "/tree/hello.txt");
        assertEquals("# file: tree/hello.txt\nuser.color=\"blue\"\n\n", r.text());
        assertEquals("", run("getfattr", img.toString(), "/tree/fifo").text());
    }

    @Test
    void showStructures() {
        Run r = run("show", img.toString(), "sb");
        assertEquals(0, r.exit, r.err);
        assertTrue(r.text().contains("sb_bsize: 4096\n"), r.text());
        assertTrue(r.text().contains("sb_lockproto: lock_nolock\n"), r.text());
        r = run("show", img.toString(), "rgs");
        assertEquals(0, r.exit, r.err);
        assertTrue(r.text().contains("2 resource groups"), r.text());
        assertTrue(r.text().lines().skip(1).limit(2).allMatch(l -> l.contains(" ok ")), r.text());
        r = run("show", img.toString(), "journals");
        assertEquals(0, r.exit, r.err);
        assertTrue(r.text().startsWith("journal0: dinode "), r.text());
        assertTrue(r.text().contains("8388608 bytes (2048 blocks), 1 extent"), r.text());
        assertTrue(r.text().contains(", clean"), r.text());
        String block = run("stat", img.toString(), "/tree/5m3").text().lines().filter(l -> l.startsWith("Block: ")).findFirst()
                .orElseThrow().substring(7);
        r = run("show", img.toString(), "inode", block);
        assertEquals(0, r.exit, r.err);
        assertTrue(r.text().contains("Tree: height 2; level 0 dinode 1, level 1 indirect 3, level 2 data 1281"), r.text());
        assertTrue(r.text().contains("(matches di_blocks)"), r.text());
    }

    @Test
    void badInputsGiveClearErrorsAndExitCodes() throws Exception {
        Run r = run("ls", img.toString(), "/tree/nope");
        assertEquals(1, r.exit);
        assertEquals("gfs2j ls: /tree/nope: No such file or directory\n", r.err);
        r = run("cat", img.toString(), "/tree");
        assertEquals(1, r.exit);
        assertTrue(r.err.contains("Is a directory"), r.err);
        r = run("stat", dir.resolve("missing.img").toString(), "/");
        assertEquals(1, r.exit);
        assertTrue(r.err.contains("no such file"), r.err);
        Path zero = dir.resolve("zero.img");
        try (RandomAccessFile f = new RandomAccessFile(zero.toFile(), "rw")) {
            f.setLength(1 << 20);
        }
        r = run("ls", zero.toString());
        assertEquals(1, r.exit);
        assertTrue(r.err.contains("not a GFS2 file system"), r.err);
        assertNoStackTrace(r);
        assertEquals(2, run("ls").exit);
        assertEquals(2, run("show", img.toString()).exit);
        assertEquals(2, run("show", img.toString(), "bogus").exit);
        assertEquals(2, run("show", img.toString(), "inode").exit);
        assertEquals(2, run("show", img.toString(), "inode", "abc").exit);
        assertEquals(2, run("cat", img.toString()).exit);
        r = run("show", img.toString(), "inode", "17");
        assertEquals(1, r.exit);
        assertTrue(r.err.contains("block 17 is not a dinode (it holds a resource group header)"), r.err);
    }

    @Test
    void corruptMetadataIsNamedWithoutStackTrace() throws Exception {
        Path bad = dir.resolve("corrupt.img");
        Files.copy(img, bad);
        String block = run("stat", img.toString(), "/tree/hello.txt").text().lines().filter(l -> l.startsWith("Block: "))
                .findFirst().orElseThrow().substring(7);
        try (RandomAccessFile f = new RandomAccessFile(bad.toFile(), "rw")) {
            long mode = Long.parseLong(block) * 4096 + 42;
            f.seek(mode);
            f.write(0x01);   // di_mode 0100644 -> 0000644: no file type
            f.seek(17L * 4096 + 28);
            f.write(0x7f);   // rg_free of rgrp 0, now disagreeing with rg_crc
        }
        Run r = run("stat", bad.toString(), "/tree/hello.txt");
        assertEquals(1, r.exit);
        assertEquals("gfs2j stat: corrupt dinode at block " + block + ": di_mode: 0644 has no valid file type\n", r.err);
        r = run("ls", "-l", bad.toString(), "/tree");
        assertEquals(1, r.exit);
        assertTrue(r.err.startsWith("gfs2j ls: corrupt dinode at block " + block), r.err);
        r = run("show", bad.toString(), "rgs");
        assertEquals(1, r.exit);
        assertTrue(r.text().contains("error: corrupt resource group header at block 17: rg_crc"), r.text());
        assertNoStackTrace(r);
    }
}
