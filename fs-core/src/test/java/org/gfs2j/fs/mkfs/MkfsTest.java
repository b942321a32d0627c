package org.gfs2j.fs.mkfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.ondisk.Inum;
import org.gfs2j.fs.ondisk.RgrpHeader;
import org.gfs2j.fs.ondisk.RindexEntry;
import org.gfs2j.fs.ondisk.StatfsChange;
import org.gfs2j.fs.testing.Gfs2Tools;
import org.gfs2j.fs.testing.ImageReader;
import org.gfs2j.journal.device.BlockDevice;
import org.gfs2j.journal.device.BlockDevices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** gfs2j mkfs images judged by the gfs2-utils oracles. */
class MkfsTest {
    @TempDir
    Path dir;

    static MkfsOptions opts(int bsize, int journals, String lock) {
        MkfsOptions o = MkfsOptions.defaults().withBlockSize(bsize).withJournals(journals);
        return lock.equals("dlm") ? o.withLock("lock_dlm", "clus:fs") : o;
    }

    static Mkfs.Result mkfs(Path img, MkfsOptions o) throws Exception {
        try (BlockDevice dev = BlockDevices.open(img, false, 0)) {
            return Mkfs.format(dev, o);
        }
    }

    static void assertFsckClean(Path img) throws Exception {
        Gfs2Tools.assertFsckClean(img);
    }

    @ParameterizedTest
    @CsvSource({
        "4096, 1, nolock, 1024",
        "4096, 3, dlm, 1024",
        "2048, 2, dlm, 300",
        "1024, 4, nolock, 300",
        "512, 2, nolock, 200",
        "1024, 16, dlm, 400",
    })
    void fsckCleanAndMatchesRequest(int bsize, int journals, String lock, int sizeMiB) throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = Gfs2Tools.sparseFile(dir, "img", (long) sizeMiB << 20);
        UUID uuid = UUID.randomUUID();
        Mkfs.Result res = mkfs(img, opts(bsize, journals, lock).withUuid(uuid));
        assertFsckClean(img);
        try (ImageReader r = new ImageReader(img)) {
            assertEquals(bsize, r.sb.bsize());
            assertEquals(uuid, r.sb.uuid());
            assertEquals(lock.equals("dlm") ? "lock_dlm" : "lock_nolock", r.sb.lockProto());
            List<RindexEntry> ri = r.rindex();
            assertEquals(res.layout().rgrps(), ri);
            long total = 0;
            long free = 0;
            long dinodes = 0;
            for (RindexEntry e : ri) {
                RgrpHeader h = RgrpHeader.decode(r.block(e.addr()), e.addr());
                total += e.data();
                free += h.free();
                dinodes += h.dinodes();
            }
            StatfsChange statfs = StatfsChange.decode(r.block(r.master("statfs").addr()), Dinode.PAYLOAD_OFFSET, 0);
            assertEquals(new StatfsChange(total, free, dinodes), statfs);
            for (int j = 0; j < journals; j++) {
                Inum jn = r.lookup(r.master("jindex").addr(), "journal" + j);
                assertEquals((long) res.journalMiB() << 20, r.dinode(jn.addr()).size());
            }
            assertFalse(r.lookup(r.master("jindex").addr(), "journal" + journals) != null);
        }
        assertEditShows(img, res, bsize, journals, lock.equals("dlm") ? "lock_dlm" : "lock_nolock",
                lock.equals("dlm") ? "clus:fs" : "", uuid);
    }

    /** gfs2_edit -p sb / rindex / journals / master report what was asked for. */
    static void assertEditShows(Path img, Mkfs.Result res, int bsize, int journals, String proto, String table,
                                UUID uuid) throws Exception {
        String sb = Gfs2Tools.edit(img, "sb").output();
        assertTrue(sb.matches("(?s).*sb_bsize\\s+" + bsize + "\\s.*"), sb);
        assertTrue(sb.matches("(?s).*sb_lockproto\\s+" + proto + "\\s.*"), sb);
        assertTrue(table.isEmpty() || sb.matches("(?s).*sb_locktable\\s+" + table + "\\s.*"), sb);
        assertTrue(sb.contains(uuid.toString()), sb);
        String rindex = Gfs2Tools.edit(img, "rindex").output();
        assertEquals(res.layout().rgrps().size(), rindex.lines().filter(l -> l.trim().startsWith("ri_addr")).count(), rindex);
        String jour = Gfs2Tools.edit(img, "journals").output();
        List<String> lines = jour.lines().filter(l -> l.startsWith("journal")).toList();
        assertEquals(journals, lines.size(), jour);
        for (int j = 0; j < journals; j++) {
            assertTrue(lines.get(j).startsWith("journal" + j + ":") && lines.get(j).endsWith(res.journalMiB() + "MB clean."),
                    lines.get(j));
        }
        String master = Gfs2Tools.edit(img, "master").output();
        for (String name : new String[] {"jindex", "per_node", "inum", "statfs", "rindex", "quota"}) {
            assertTrue(master.matches("(?s).*: (Dir|File)\\s+" + name + "\\n.*"), name + " in " + master);
        }
    }

    /** The smallest device mkfs takes (two 8 MiB journals' worth per journal), fsck-clean; one block less is refused. */
    @ParameterizedTest
    @CsvSource({"4096, 1", "1024, 3", "512, 1"})
    void smallestDevice(int bsize, int journals) throws Exception {
        long min = (16L << 20) * journals;
        Path img = Gfs2Tools.sparseFile(dir, "min.img", min);
        mkfs(img, opts(bsize, journals, "nolock"));
        assertFsckClean(img);
        Path small = Gfs2Tools.sparseFile(dir, "small.img", min - bsize);
        MkfsException e = assertThrows(MkfsException.class, () -> mkfs(small, opts(bsize, journals, "nolock")));
        assertTrue(e.getMessage().contains("too small"), e.getMessage());
    }

    /** An explicit journal size that leaves no room for the system files is refused, not half-written. */
    @Test
    void explicitJournalsTooBig() throws Exception {
        Path img = Gfs2Tools.sparseFile(dir, "img", 64L << 20);
        MkfsException e = assertThrows(MkfsException.class,
                () -> mkfs(img, opts(4096, 2, "nolock").withJournalSize(32)));
        assertTrue(e.getMessage().contains("more than half"), e.getMessage());
        assertEquals(0, java.nio.file.Files.readAllBytes(img)[65536], "nothing written");
    }

    /** A device full of garbage, and one holding another GFS2 file system, come out clean. */
    @Test
    void overwritesDirtyDevices() throws Exception {
        Path img = Gfs2Tools.sparseFile(dir, "dirty.img", 96L << 20);
        byte[] junk = new byte[1 << 20];
        new java.util.Random(7).nextBytes(junk);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(img, java.nio.file.StandardOpenOption.WRITE)) {
            for (long off = 0; off < (96L << 20); off += junk.length) {
                ch.write(java.nio.ByteBuffer.wrap(junk), off);
            }
        }
        mkfs(img, opts(4096, 2, "nolock"));
        assertFsckClean(img);
        Path other = Gfs2Tools.mkfs(dir, "other.img", 300L << 20, "-b", "1024", "-j", "5", "-p", "lock_nolock", "-J", "8");
        mkfs(other, opts(4096, 1, "dlm"));
        assertFsckClean(other);
        mkfs(other, opts(512, 3, "nolock"));
        assertFsckClean(other);
    }

    /** 100 GiB sparse: the large case (hundreds of rgrps, unstuffed rindex). */
    @Test
    void hundredGiBSparse() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        Path img = Gfs2Tools.sparseFile(dir, "big.img", 100L << 30);
        UUID uuid = UUID.randomUUID();
        List<String> steps = new java.util.ArrayList<>();
        Mkfs.Result res;
        try (BlockDevice dev = BlockDevices.open(img, false, 0)) {
            res = Mkfs.format(dev, opts(4096, 4, "dlm").withUuid(uuid), (s, d, t) -> steps.add(s + " " + d + "/" + t),
                    1_700_000_000L);
        }
        assertTrue(steps.contains("journals 4/4"), steps.toString());
        assertTrue(steps.stream().anyMatch(s -> s.startsWith("resource groups")), steps.toString());
        assertEquals(128, res.journalMiB(), "6.5M blocks per journal: mkfs.gfs2 default 32768 blocks");
        assertTrue(res.layout().rgrps().size() > 400);
        assertFsckClean(img);
        assertEditShows(img, res, 4096, 4, "lock_dlm", "clus:fs", uuid);
        try (ImageReader r = new ImageReader(img)) {
            Dinode rindex = r.dinode(r.master("rindex").addr());
            assertTrue(rindex.height() > 0, "rindex unstuffed");
            assertEquals(res.layout().rgrps(), r.rindex());
            assertEquals(res.statfs(), StatfsChange.decode(r.block(r.master("statfs").addr()), Dinode.PAYLOAD_OFFSET, 0));
        }
    }

    /** On a real block device (a loop device): O_DIRECT writes, and fsck.gfs2 reads the device itself. */
    @Test
    void loopDevice() throws Exception {
        Gfs2Tools.requireTool("fsck.gfs2");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.exists(Path.of("/dev/loop-control"))
                && "root".equals(System.getProperty("user.name")), "needs root and loop devices");
        Path img = Gfs2Tools.sparseFile(dir, "loop.img", 200L << 20);
        Gfs2Tools.Result attach = Gfs2Tools.run(List.of("losetup", "-f", "--show", img.toString()));
        assertEquals(0, attach.exit(), attach.output());
        Path loop = Path.of(attach.output().trim());
        try {
            for (int bsize : new int[] {512, 1024, 4096}) {
                try (BlockDevice dev = BlockDevices.open(loop, false, 0)) {
                    assertEquals("DirectBlockDevice", dev.getClass().getSimpleName());
                    Mkfs.format(dev, opts(bsize, 2, "dlm"));
                }
                assertFsckClean(loop);
                try (ImageReader r = new ImageReader(loop)) {
                    assertEquals(bsize, r.sb.bsize());
                }
            }
        } finally {
            Gfs2Tools.run(List.of("losetup", "-d", loop.toString()));
        }
    }
}
