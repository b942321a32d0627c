package org.gfs2j.fs.ondisk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.gfs2j.fs.testing.Gfs2Tools;
import org.gfs2j.fs.testing.ImageReader;
import org.gfs2j.journal.format.Checksums;
import org.gfs2j.journal.format.MetaHeader;
import org.gfs2j.journal.format.MetaType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Decodes images made by mkfs.gfs2 (golden bytes) with the codecs. */
class MkfsGoldenTest {
    @TempDir
    Path dir;

    /** The spec's worked example (section 13), byte for byte where it is deterministic. */
    @Test
    void workedExample4kThreeJournalsLockDlm() throws Exception {
        UUID uuid = UUID.fromString("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
        Path img = Gfs2Tools.mkfs(dir, "ex.img", 1L << 30, "-p", "lock_dlm", "-t", "clus:fs", "-j", "3",
                "-U", uuid.toString());
        try (ImageReader r = new ImageReader(img)) {
            Superblock sb = r.sb;
            assertEquals(new Superblock(1802, 1900, 4096, 12, new Inum(4, 2072), new Inum(20, 6970),
                    "lock_dlm", "clus:fs", uuid), sb);
            // Re-encoding reproduces the superblock block exactly.
            ByteBuffer raw = r.block(16);
            ByteBuffer enc = ByteBuffer.allocate(4096);
            sb.encode(enc);
            assertEquals(raw, enc);

            List<RindexEntry> ri = r.rindex();
            assertEquals(7, ri.size());
            assertEquals(RindexEntry.of(17, 1, 2056), ri.get(0));
            assertEquals(RindexEntry.of(6188, 4, 63984), ri.get(3));
            long total = 0;
            long free = 0;
            long dinodes = 0;
            for (int i = 0; i < ri.size(); i++) {
                RindexEntry e = ri.get(i);
                ByteBuffer hdr = r.blocks(e.addr(), (int) e.length());
                RgrpHeader h = RgrpHeader.decode(hdr.duplicate().limit(4096).slice(), e.addr());
                h.checkAgainst(e, e.addr());
                assertTrue(hdr.getInt(RgrpHeader.OFF_CRC) != 0, "mkfs writes rg_crc");
                assertEquals(i == ri.size() - 1 ? 0 : ri.get(i + 1).addr() - e.addr(), h.skip());
                RgrpBitmap.checkBitmapBlocks(hdr, r.geo, e.addr(), (int) e.length());
                RgrpBitmap bm = new RgrpBitmap(hdr, r.geo, e.data());
                assertEquals(h.free(), bm.count(RgrpBitmap.FREE), "rg_free of rgrp " + i);
                assertEquals(h.dinodes(), bm.count(RgrpBitmap.DINODE), "rg_dinodes of rgrp " + i);
                if (i == 0) {
                    assertEquals(0x57, hdr.get(128) & 0xff);
                    assertEquals(RgrpBitmap.DINODE, bm.get(0));
                    assertEquals(3, h.dinodes());
                    assertEquals(0, h.free());
                }
                // A re-encoded header is byte-identical (same CRC).
                ByteBuffer re = ByteBuffer.allocate(4096);
                h.encode(re);
                assertEquals(hdr.duplicate().limit(128), re.duplicate().limit(128));
                total += e.data();
                free += h.free();
                dinodes += h.dinodes();
            }
            ByteBuffer statfsBlk = r.block(r.master("statfs").addr());
            StatfsChange statfs = StatfsChange.decode(statfsBlk, Dinode.PAYLOAD_OFFSET, 6967);
            assertEquals(new StatfsChange(262104, 255157, 20), statfs);
            assertEquals(new StatfsChange(total, free, dinodes), statfs);

            Dinode master = r.dinode(2072);
            assertEquals(040755, master.mode());
            assertEquals(0x201, master.flags());
            assertEquals(4, master.nlink());
            assertEquals(4096 - 232, master.size());
            assertEquals(Dinode.FORMAT_DIRENT, master.payloadFormat());
            ByteBuffer masterBlk = r.block(2072);
            Dinode reenc = master;
            ByteBuffer again = ByteBuffer.allocate(4096);
            reenc.encode(again);
            assertEquals(masterBlk.duplicate().limit(232), again.duplicate().limit(232));

            List<String> names = new ArrayList<>();
            for (Dirent d : r.dirents(2072)) {
                names.add(d.nameString());
                assertEquals(Checksums.nameHash(d.nameString()), d.hash(), "hash of " + d.nameString());
                Dinode target = r.dinode(d.inum().addr());
                assertEquals(target.num(), d.inum());
                assertEquals(Dinode.dType(target.mode()), d.type());
            }
            assertEquals(List.of(".", "..", "jindex", "per_node", "inum", "statfs", "rindex", "quota"), names);
            List<Dirent.Located> loc = Dirent.walk(masterBlk, Dinode.PAYLOAD_OFFSET, 2072);
            assertEquals(48, loc.get(0).dirent().recLen());

            Dinode root = r.dinode(6970);
            assertEquals(new Inum(20, 6970), root.num());
            assertEquals(Dinode.FLAG_JDATA, root.flags());
            List<Dirent> rootEntries = r.dirents(6970);
            assertEquals(0x0ED4E242, rootEntries.get(0).hash());
            assertEquals(0x9608161C, rootEntries.get(1).hash());

            Inum jindex = r.master("jindex");
            assertEquals(0x5EFC1D83, Checksums.nameHash("jindex"));
            Dinode j0 = r.dinode(r.lookup(jindex.addr(), "journal0").addr());
            assertEquals(18, j0.num().addr());
            assertEquals(1, j0.num().formalIno());
            assertEquals(0100600, j0.mode());
            assertEquals(Dinode.FLAG_SYSTEM, j0.flags());
            assertEquals(2, j0.height());
            assertEquals(2054, j0.blocks());
            assertEquals(8 << 20, j0.size());
            List<Long> jblocks = r.dataBlocks(18);
            assertEquals(24, jblocks.get(0));
            assertEquals(2071, jblocks.get(2047));

            ByteBuffer inumBlk = r.block(r.master("inum").addr());
            assertEquals(21, inumBlk.getLong(Dinode.PAYLOAD_OFFSET));

            Inum perNode = r.master("per_node");
            Dinode ir0 = r.dinode(r.lookup(perNode.addr(), "inum_range0").addr());
            assertEquals(16, ir0.size());
            assertEquals(new InumRange(0, 0), InumRange.decode(r.block(ir0.num().addr()), Dinode.PAYLOAD_OFFSET, 0));
            Dinode sc0 = r.dinode(r.lookup(perNode.addr(), "statfs_change0").addr());
            assertEquals(StatfsChange.ZERO, StatfsChange.decode(r.block(sc0.num().addr()), Dinode.PAYLOAD_OFFSET, 0));
            Inum qc0 = r.lookup(perNode.addr(), "quota_change0");
            Dinode qc = r.dinode(qc0.addr());
            assertEquals(1 << 20, qc.size());
            assertEquals(Dinode.FLAG_SYSTEM, qc.flags());
            List<Long> qcBlocks = r.dataBlocks(qc0.addr()).subList(0, 256);
            for (long b : qcBlocks) {
                assertEquals(MetaType.QC, MetaHeader.typeOf(r.block(b), 0));
                assertTrue(QuotaChange.decodeSlot(r.block(b), b, 0).isFree());
            }

            Inum quota = r.master("quota");
            Dinode qd = r.dinode(quota.addr());
            assertEquals(Dinode.FORMAT_QUOTA, qd.payloadFormat());
            byte[] q = r.content(quota.addr());
            assertEquals(176, q.length);
            assertEquals(new QuotaRecord(0, 0, 1), QuotaRecord.decode(ByteBuffer.wrap(q), 0, quota.addr()));
            assertEquals(new QuotaRecord(0, 0, 1), QuotaRecord.decode(ByteBuffer.wrap(q), 88, quota.addr()));
            assertEquals(Dinode.FORMAT_RINDEX, r.dinode(r.master("rindex").addr()).payloadFormat());
        }
    }

    /** 1K blocks and 16 journals: jindex and per_node become exhash directories with leaves. */
    @Test
    void oneKBlocksExhashSystemDirectories() throws Exception {
        Path img = Gfs2Tools.mkfs(dir, "1k.img", 512L << 20, "-b", "1024", "-p", "lock_nolock", "-j", "16", "-J", "8");
        try (ImageReader r = new ImageReader(img)) {
            assertEquals(1024, r.sb.bsize());
            assertEquals("lock_nolock", r.sb.lockProto());
            assertEquals("", r.sb.lockTable());
            assertEquals(64, Geometry.SB_BYTE_OFFSET / r.bsize);
            for (String dirName : new String[] {"jindex", "per_node"}) {
                Inum d = r.master(dirName);
                Dinode di = r.dinode(d.addr());
                assertTrue(di.isExhashDir(), dirName + " is exhash");
                assertEquals(Dinode.FLAG_SYSTEM | Dinode.FLAG_JDATA | Dinode.FLAG_EXHASH, di.flags());
                assertTrue(di.depth() >= r.geo.minDirDepth());
                int entries = 0;
                long leafBlocks = 0;
                byte[] table = r.content(d.addr());
                ByteBuffer t = ByteBuffer.wrap(table);
                int slots = 1 << di.depth();
                for (int i = 0; i < slots; ) {
                    long leafAddr = t.getLong(8 * i);
                    ByteBuffer lb = r.block(leafAddr);
                    Leaf leaf = Leaf.decode(lb, leafAddr);
                    int run = 1 << (di.depth() - leaf.depth());
                    assertEquals(0, i % run, "aligned run");
                    for (int k = 0; k < run; k++) {
                        assertEquals(leafAddr, t.getLong(8 * (i + k)));
                    }
                    for (Dirent.Located l : Dirent.live(leaf.dirents(lb, leafAddr))) {
                        Dirent e = l.dirent();
                        assertEquals(Checksums.nameHash(e.nameString()), e.hash(), e.nameString());
                        int idx = (int) (Integer.toUnsignedLong(e.hash()) >>> (32 - di.depth()));
                        assertTrue(idx >= i && idx < i + run, e.nameString() + " in the leaf its hash selects");
                        entries++;
                    }
                    leafBlocks++;
                    i += run;
                }
                assertEquals(di.entries(), entries);
                assertEquals(dirName.equals("jindex") ? 18 : 2 + 3 * 16, entries);
                assertEquals(1 + leafBlocks + (di.height() > 0 ? r.dataBlocks(d.addr()).stream().filter(x -> x != 0).count() : 0),
                        di.blocks());
            }
            Dinode j15 = r.dinode(r.lookup(r.master("jindex").addr(), "journal15").addr());
            assertEquals(8 << 20, j15.size());
            assertEquals(2, j15.height(), "8 MiB at 1K: 99 * 125 blocks at height 2");
            assertEquals(r.geo.heightForSize(j15.size()), j15.height());
        }
    }

    @Test
    void rindexUnstuffedOnLargeSparseImage() throws Exception {
        // 20 GiB at 32 MiB rgrps: ~640 rgrps, rindex ~60 KiB unstuffed (raw jdata blocks).
        Path img = Gfs2Tools.mkfs(dir, "big.img", 20L << 30, "-p", "lock_nolock", "-r", "32", "-J", "8");
        try (ImageReader r = new ImageReader(img)) {
            Dinode rd = r.dinode(r.master("rindex").addr());
            assertTrue(rd.height() > 0);
            List<RindexEntry> ri = r.rindex();
            assertEquals(rd.size() / RindexEntry.SIZE, ri.size());
            for (int i = 1; i < ri.size(); i++) {
                assertTrue(ri.get(i).addr() > ri.get(i - 1).dataEnd() - 1);
            }
            RindexEntry last = ri.get(ri.size() - 1);
            RgrpHeader h = RgrpHeader.decode(r.block(last.addr()), last.addr());
            assertEquals(0, h.skip());
            assertNotNull(h);
        }
    }

    @Test
    void nameHashVectors() {
        assertEquals(0x0ED4E242, Checksums.nameHash("."));
        assertEquals(0x9608161C, Checksums.nameHash(".."));
        assertEquals(0xFC7745EB, Checksums.nameHash("journal0"));
        assertEquals(0x6AB47928, Checksums.nameHash("lost+found"));
        assertArrayEquals("x".getBytes(StandardCharsets.UTF_8), Dirent.of("x", new Inum(1, 2), 8, 48).name());
    }
}
