package org.gfs2j.fs.ondisk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.gfs2j.fs.testing.Gfs2Tools;
import org.gfs2j.fs.testing.ImageReader;
import org.gfs2j.journal.format.Checksums;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Decodes the images the Linux kernel wrote (test resources images/kernel-*.img.gz) and checks
 * dinodes, data trees, exhash leaves, EA/ED blocks and ACL values against their manifests.
 */
class KernelImageTest {
    /** Unpacked once per class: each image is 256 MiB. */
    @TempDir
    static Path dir;
    private static final Map<String, Path> UNPACKED = new java.util.HashMap<>();

    private static synchronized Path image(String name) throws java.io.IOException {
        Path p = UNPACKED.get(name);
        if (p == null) {
            p = Gfs2Tools.kernelImage(dir, name);
            UNPACKED.put(name, p);
        }
        return p;
    }

    @ParameterizedTest
    @ValueSource(strings = {"kernel-4k", "kernel-1k"})
    void everyManifestLineMatchesTheDecodedDinode(String name) throws Exception {
        Path img = image(name);
        List<String> manifest = Gfs2Tools.manifest(name);
        try (ImageReader r = new ImageReader(img)) {
            int checked = 0;
            for (String line : manifest) {
                if (line.startsWith("#")) {
                    break;
                }
                String[] f = line.split("\t");
                Inum inum = r.path(f[0]);
                assertNotNull(inum, f[0]);
                Dinode d = r.dinode(inum.addr());
                assertEquals(typeChar(d.mode()), f[1], f[0]);
                assertEquals(Integer.parseInt(f[2], 8), d.mode() & 07777, f[0]);
                assertEquals(Long.parseLong(f[3]), d.uid(), f[0]);
                assertEquals(Long.parseLong(f[4]), d.gid(), f[0]);
                assertEquals(Long.parseLong(f[5]), d.size(), f[0]);
                assertEquals(Long.parseLong(f[6]), d.nlink(), f[0]);
                switch (f[1]) {
                    case "f" -> assertEquals(f[7], md5(r.content(inum.addr())), f[0]);
                    case "l" -> assertEquals(f[7], new String(r.content(inum.addr()), StandardCharsets.UTF_8));
                    case "c", "b" -> assertEquals(f[7], d.major() + ":" + d.minor());
                    default -> { }
                }
                checked++;
            }
            assertTrue(checked > 2000);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"kernel-4k", "kernel-1k"})
    void bigExhashDirectoryLeaves(String name) throws Exception {
        Path img = image(name);
        try (ImageReader r = new ImageReader(img)) {
            Inum big = r.path("tree/big");
            Dinode d = r.dinode(big.addr());
            assertTrue(d.isExhashDir());
            assertEquals(8L << d.depth(), d.size());
            byte[] table = r.content(big.addr());
            ByteBuffer t = ByteBuffer.wrap(table);
            int slots = 1 << d.depth();
            int live = 0;
            int hashesChecked = 0;
            long leafBlocks = 0;
            for (int i = 0; i < slots; ) {
                long leafAddr = t.getLong(8 * i);
                Leaf head = Leaf.decode(r.block(leafAddr), leafAddr);
                int run = 1 << (d.depth() - head.depth());
                assertEquals(0, i % run);
                for (long la = leafAddr; la != 0; ) {
                    ByteBuffer lb = r.block(la);
                    Leaf leaf = Leaf.decode(lb, la);
                    assertEquals(big.addr(), leaf.inode());
                    leafBlocks++;
                    for (Dirent.Located l : Dirent.live(leaf.dirents(lb, la))) {
                        Dirent e = l.dirent();
                        assertEquals(Checksums.nameHash(e.nameString()), e.hash(), e.nameString());
                        hashesChecked++;
                        long idx = Integer.toUnsignedLong(e.hash()) >>> (32 - d.depth());
                        assertTrue(idx >= i && idx < i + run, "entry in the leaf its hash selects");
                        assertEquals(0, l.offset() % 8);
                        live++;
                    }
                    la = leaf.next();
                }
                i += run;
            }
            assertEquals(2002, live);
            assertEquals(d.entries(), live);
            assertTrue(hashesChecked > 2000);
            long tableBlocks = d.height() == 0 ? 0 : r.dataBlocks(big.addr()).stream().filter(x -> x != 0).count();
            // Indirect blocks of the table tree count as well; at height ≤ 1 there are none.
            if (d.height() <= 1) {
                assertEquals(1 + tableBlocks + leafBlocks, d.blocks());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"kernel-4k", "kernel-1k"})
    void extendedAttributesAndAcls(String name) throws Exception {
        Path img = image(name);
        Map<String, Map<String, byte[]>> expected = xattrs(Gfs2Tools.manifest(name));
        assertEquals(5, expected.size());
        try (ImageReader r = new ImageReader(img)) {
            for (var file : expected.entrySet()) {
                Inum inum = r.path(file.getKey());
                Dinode d = r.dinode(inum.addr());
                assertTrue(d.eattr() != 0, file.getKey());
                Map<String, byte[]> found = readXattrs(r, d);
                assertEquals(file.getValue().keySet(), found.keySet(), file.getKey());
                for (var e : file.getValue().entrySet()) {
                    assertArrayEquals(e.getValue(), found.get(e.getKey()), file.getKey() + " " + e.getKey());
                }
                byte[] acl = found.get("system.posix_acl_access");
                if (acl != null) {
                    PosixAcl a = PosixAcl.decode(acl, d.eattr());
                    assertArrayEquals(acl, a.encode());
                    assertEquals(d.mode() & 0777, a.applyToMode(d.mode()) & 0777, "mode agrees with the ACL");
                }
            }
            Dinode zero = r.dinode(r.path("tree/zero").addr());
            long eaBlocks = 1 + EaHeader.edBlocksFor(6000, r.geo);
            assertEquals(1 + eaBlocks, zero.blocks(), "dinode + EA block + ED blocks");
        }
    }

    private Map<String, byte[]> readXattrs(ImageReader r, Dinode d) throws Exception {
        List<Long> eaBlocks = new ArrayList<>();
        if (d.hasFlag(Dinode.FLAG_EA_INDIRECT)) {
            for (long p : IndirectBlock.decode(r.block(d.eattr()), d.eattr()).pointers()) {
                if (p == 0) {
                    break;
                }
                eaBlocks.add(p);
            }
        } else {
            eaBlocks.add(d.eattr());
        }
        Map<String, byte[]> out = new TreeMap<>();
        for (long b : eaBlocks) {
            for (EaBlock.Entry e : EaBlock.walk(r.block(b), b, r.sb.fsFormat())) {
                if (e.header().isUnused()) {
                    continue;
                }
                byte[] v;
                if (e.header().isStuffed()) {
                    v = e.value();
                } else {
                    int len = (int) e.header().dataLen();
                    v = new byte[len];
                    int pos = 0;
                    for (long ed : e.pointers()) {
                        int n = Math.min(r.geo.jbsize(), len - pos);
                        System.arraycopy(EdBlock.decode(r.block(ed), ed, n), 0, v, pos, n);
                        pos += n;
                    }
                }
                out.put(e.linuxName(), v);
            }
        }
        return out;
    }

    private static Map<String, Map<String, byte[]>> xattrs(List<String> manifest) {
        Map<String, Map<String, byte[]>> out = new LinkedHashMap<>();
        boolean in = false;
        String file = null;
        for (String line : manifest) {
            if (line.equals("# xattrs")) {
                in = true;
            } else if (in && line.startsWith("# file: ")) {
                file = line.substring(8);
                out.put(file, new TreeMap<>());
            } else if (in && file != null && line.contains("=") && !line.startsWith("#")) {
                String key = line.substring(0, line.indexOf('='));
                String val = line.substring(line.indexOf('=') + 1);
                byte[] v = val.startsWith("0s") ? Base64.getDecoder().decode(val.substring(2))
                        : val.substring(1, val.length() - 1).getBytes(StandardCharsets.UTF_8);
                out.get(file).put(key, v);
            }
        }
        return out;
    }

    private static String typeChar(int mode) {
        switch (mode & Dinode.S_IFMT) {
            case Dinode.S_IFDIR: return "d";
            case Dinode.S_IFREG: return "f";
            case Dinode.S_IFLNK: return "l";
            case Dinode.S_IFIFO: return "p";
            case Dinode.S_IFSOCK: return "s";
            case Dinode.S_IFCHR: return "c";
            default: return "b";
        }
    }

    private static String md5(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
    }
}
