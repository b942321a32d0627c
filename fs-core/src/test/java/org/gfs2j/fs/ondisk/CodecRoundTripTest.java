package org.gfs2j.fs.ondisk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.gfs2j.journal.format.Checksums;
import org.gfs2j.journal.format.CorruptMetadataException;
import org.gfs2j.journal.format.MetaHeader;
import org.gfs2j.journal.format.MetaType;
import org.junit.jupiter.api.Test;

/**
 * Every codec: encode over a 0x5a-filled buffer, check padding came out zero, decode to the same
 * value (each field distinct so a swapped offset shows); truncated input and a wrong magic/type
 * rejected with the field named.
 */
class CodecRoundTripTest {
    static final int BS = 4096;

    static ByteBuffer filled(int n) {
        ByteBuffer b = ByteBuffer.allocate(n);
        Arrays.fill(b.array(), (byte) 0x5a);
        return b;
    }

    static void assertZero(ByteBuffer b, int from, int to) {
        for (int i = from; i < to; i++) {
            assertEquals(0, b.get(i), "byte " + i + " should be zero padding");
        }
    }

    static ByteBuffer truncated(ByteBuffer b, int len) {
        return ByteBuffer.wrap(Arrays.copyOf(b.array(), len));
    }

    static void assertCorrupt(String field, org.junit.jupiter.api.function.Executable e) {
        CorruptMetadataException ex = assertThrows(CorruptMetadataException.class, e);
        assertEquals(field, ex.field(), ex.getMessage());
    }

    static void corruptMagic(ByteBuffer b) {
        b.putInt(0, 0x12345678);
    }

    @Test
    void superblock() throws Exception {
        Superblock sb = new Superblock(1802, 1900, 4096, 12, new Inum(3, 2072), new Inum(20, 6970),
                "lock_dlm", "clus:fs", UUID.fromString("01234567-89ab-cdef-0011-223344556677"));
        ByteBuffer b = filled(BS);
        sb.encode(b);
        assertEquals(MetaHeader.MAGIC, b.getInt(0));
        assertZero(b, 32, 36);
        assertZero(b, 44, 48);
        assertZero(b, 64, 80);
        assertZero(b, 96 + 8, 160);
        assertZero(b, 224, 256);
        assertZero(b, 272, BS);
        assertEquals(0x01234567, b.getInt(256));
        assertEquals(sb, Superblock.decode(b, 16));
        assertCorrupt("sb_lockproto", () -> Superblock.decode(truncated(b, 100), 16));
        ByteBuffer bad = truncated(b, BS);
        bad.putInt(Superblock.OFF_BSIZE_SHIFT, 11);
        assertCorrupt("sb_bsize_shift", () -> Superblock.decode(bad, 16));
        ByteBuffer badFmt = truncated(b, BS);
        badFmt.putInt(Superblock.OFF_FS_FORMAT, 1803);
        assertCorrupt("sb_fs_format", () -> Superblock.decode(badFmt, 16));
        ByteBuffer magic = truncated(b, BS);
        corruptMagic(magic);
        CorruptMetadataException e = assertThrows(CorruptMetadataException.class, () -> Superblock.decode(magic, 16));
        assertEquals("mh_magic", e.field());
        assertEquals(16, e.block());
        ByteBuffer type = truncated(b, BS);
        type.putInt(MetaHeader.OFF_TYPE, MetaType.RG.type());
        assertCorrupt("mh_type", () -> Superblock.decode(type, 16));
    }

    @Test
    void inum() throws Exception {
        ByteBuffer b = filled(16);
        new Inum(0x1122334455667788L, 0x99aabbccddeeff00L).encode(b, 0);
        assertEquals(new Inum(0x1122334455667788L, 0x99aabbccddeeff00L), Inum.decode(b, 0));
        assertCorrupt("x.no_addr", () -> Inum.decode(truncated(b, 12), 0, 5, "t", "x"));
    }

    @Test
    void rindexEntry() throws Exception {
        Geometry g = Geometry.of(BS);
        RindexEntry ri = RindexEntry.of(6188, 4, 63984);
        ByteBuffer b = filled(200);
        ri.encode(b, 100);
        assertZero(b, 112, 116);
        assertZero(b, 132, 196);
        assertEquals(0x5a, b.get(99));
        assertEquals(0x5a, b.get(196));
        assertEquals(ri, RindexEntry.decode(b, 100, 7, g));
        assertEquals(new RindexEntry(6188, 4, 6192, 63984, 15996), ri);
        assertCorrupt("ri_bitbytes", () -> RindexEntry.decode(truncated(b, 130), 100, 7, g));
        ByteBuffer bad = truncated(b, 200);
        bad.putLong(100 + RindexEntry.OFF_DATA0, 6191);
        assertCorrupt("ri_data0", () -> RindexEntry.decode(bad, 100, 7, g));
        ByteBuffer geo = truncated(b, 200);
        RindexEntry.of(6188, 3, 63984).encode(geo, 100);
        assertCorrupt("ri_length", () -> RindexEntry.decode(geo, 100, 7, g));
        // mkfs garbage in pad/reserved is ignored.
        ByteBuffer garbage = truncated(b, 200);
        garbage.putInt(100 + 12, 0xfc7f0000);
        garbage.put(100 + 40, (byte) 9);
        assertEquals(ri, RindexEntry.decode(garbage, 100, 7, g));
    }

    @Test
    void rgrpHeaderWithCrc() throws Exception {
        RgrpHeader h = new RgrpHeader(0x10, 1000, 7, 63989, 0x0102030405060708L, 6192, 63984, 15996);
        ByteBuffer b = filled(BS);
        h.encode(b);
        assertZero(b, RgrpHeader.OFF_RESERVED, RgrpHeader.SIZE);
        assertEquals(0x5a, b.get(RgrpHeader.SIZE), "bitmap untouched");
        int crc = b.getInt(RgrpHeader.OFF_CRC);
        assertEquals(RgrpHeader.crc(b), crc);
        ByteBuffer zeroed = truncated(b, BS);
        zeroed.putInt(RgrpHeader.OFF_CRC, 0);
        assertEquals(Checksums.gfs2Hash(zeroed, 0, 128), crc);
        assertEquals(h, RgrpHeader.decode(b, 17));
        assertEquals(h, RgrpHeader.decode(zeroed, 17), "crc 0 means unchecked");
        ByteBuffer badCrc = truncated(b, BS);
        badCrc.putInt(RgrpHeader.OFF_FREE, 999);
        assertCorrupt("rg_crc", () -> RgrpHeader.decode(badCrc, 17));
        assertCorrupt("rg_bitbytes", () -> RgrpHeader.decode(truncated(b, 62), 17));
        ByteBuffer type = truncated(b, BS);
        type.putInt(MetaHeader.OFF_TYPE, 3);
        assertCorrupt("mh_type", () -> RgrpHeader.decode(type, 17));
    }

    @Test
    void bitmapAcrossHeaderAndBitmapBlocks() {
        Geometry g = Geometry.of(512);
        long data = 4 * (g.rgBitmapBytes() + g.rbBitmapBytes() + 20);
        int len = g.rgrpHeaderBlocks(data / 4);
        assertEquals(3, len);
        ByteBuffer b = ByteBuffer.allocate(len * 512);
        RgrpBitmap.stampBitmapBlocks(b, g, len);
        RgrpBitmap bm = new RgrpBitmap(b, g, data);
        assertEquals(data, bm.count(RgrpBitmap.FREE));
        bm.set(0, RgrpBitmap.DINODE);
        bm.set(1, RgrpBitmap.USED);
        bm.set(2, RgrpBitmap.USED);
        bm.set(3, RgrpBitmap.USED);
        assertEquals(0x57, b.get(128) & 0xff, "first block in the two low bits (spec example)");
        long firstRb = 4L * g.rgBitmapBytes();
        bm.set(firstRb, RgrpBitmap.UNLINKED);
        assertEquals(2, b.get(512 + 24) & 0xff);
        long firstRb2 = firstRb + 4L * g.rbBitmapBytes() + 5;
        bm.setRange(firstRb - 2, 4, RgrpBitmap.USED);
        bm.setRange(firstRb2, 40, RgrpBitmap.DINODE);
        assertEquals(RgrpBitmap.USED, bm.get(firstRb + 1));
        assertEquals(RgrpBitmap.DINODE, bm.get(firstRb2 + 39));
        assertEquals(RgrpBitmap.FREE, bm.get(firstRb2 + 40));
        assertEquals(41, bm.count(RgrpBitmap.DINODE));
        assertEquals(0, bm.count(RgrpBitmap.UNLINKED));
        assertEquals(firstRb2, bm.find(4, RgrpBitmap.DINODE));
        assertEquals(MetaHeader.MAGIC, b.getInt(512));
        assertEquals(MetaType.RB.type(), b.getInt(1024 + 4));
        assertThrows(IndexOutOfBoundsException.class, () -> bm.get(data));
    }

    static Dinode sampleDinode(long addr) {
        return new Dinode(new Inum(0x11, addr), 0100644, 1000, 1001, 3, 123456, 35, 1_700_000_001L, 1_700_000_002L,
                1_700_000_003L, 8, 9, addr + 1, addr + 2, 77, Dinode.FLAG_JDATA | Dinode.FLAG_NOATIME, 0, 2, 0, 0,
                0xabcdL, 111, 222, 333);
    }

    @Test
    void dinode() throws Exception {
        Dinode d = sampleDinode(2072);
        ByteBuffer b = filled(BS);
        d.encode(b);
        assertZero(b, 136, 138);
        assertZero(b, 140, 146);
        assertZero(b, 152, 168);
        assertZero(b, Dinode.OFF_RESERVED, Dinode.SIZE);
        assertEquals(0x5a, b.get(Dinode.SIZE), "payload untouched");
        assertEquals(d, Dinode.decode(b, 2072));
        assertCorrupt("di_num.no_addr", () -> Dinode.decode(b, 2073));
        assertCorrupt("di_goal_meta", () -> Dinode.decode(truncated(b, 110), 2072));
        ByteBuffer mode = truncated(b, BS);
        mode.putInt(Dinode.OFF_MODE, 0070644);
        assertCorrupt("di_mode", () -> Dinode.decode(mode, 2072));
        ByteBuffer height = truncated(b, BS);
        height.putShort(Dinode.OFF_HEIGHT, (short) 7);
        assertCorrupt("di_height", () -> Dinode.decode(height, 2072));
        ByteBuffer stuffed = truncated(b, BS);
        stuffed.putShort(Dinode.OFF_HEIGHT, (short) 0);
        stuffed.putLong(Dinode.OFF_SIZE, BS - 231);
        assertCorrupt("di_size", () -> Dinode.decode(stuffed, 2072));
        ByteBuffer magic = truncated(b, BS);
        corruptMagic(magic);
        assertCorrupt("mh_magic", () -> Dinode.decode(magic, 2072));
        Dinode.setPointer(b, 5, 999);
        assertEquals(999, Dinode.pointer(b, 5));
        assertEquals(999, b.getLong(232 + 40));
        assertEquals(Dirent.DT_REG, Dinode.dType(d.mode()));
    }

    @Test
    void exhashDinodeSizeMustMatchDepth() throws Exception {
        Dinode d = Dinode.create(new Inum(1, 50), 040755).withFlags(Dinode.FLAG_JDATA | Dinode.FLAG_EXHASH)
                .withLayout(0, 8, 2, 0).withSize(2048);
        ByteBuffer b = filled(BS);
        d.encode(b);
        assertEquals(d, Dinode.decode(b, 50));
        d.withSize(1024).encode(b);
        assertCorrupt("di_size", () -> Dinode.decode(b, 50));
    }

    @Test
    void indirectBlock() throws Exception {
        long[] p = new long[Geometry.of(BS).inptrs()];
        for (int i = 0; i < p.length; i++) {
            p[i] = i * 3 + 1;
        }
        IndirectBlock ib = new IndirectBlock(p);
        ByteBuffer b = filled(BS);
        ib.encode(b);
        assertEquals(ib, IndirectBlock.decode(b, 9));
        assertZero(b, 8, 16);
        assertEquals(4, IndirectBlock.pointer(b, 1));
        IndirectBlock partial = new IndirectBlock(new long[] {5, 6});
        ByteBuffer c = filled(BS);
        partial.encode(c);
        assertZero(c, 40, BS);
        assertCorrupt("mh_magic", () -> IndirectBlock.decode(truncated(b, 10), 9));
        ByteBuffer type = truncated(b, BS);
        type.putInt(MetaHeader.OFF_TYPE, MetaType.JD.type());
        assertCorrupt("mh_type", () -> IndirectBlock.decode(type, 9));
    }

    @Test
    void direntAndWalk() throws Exception {
        assertEquals(48, Dirent.direntSize(1));
        assertEquals(48, Dirent.direntSize(8));
        assertEquals(56, Dirent.direntSize(9));
        assertEquals(296, Dirent.direntSize(255));
        Dirent e = new Dirent(new Inum(5, 2073), 0x11223344, 64, Dirent.DT_DIR, 1, "jindex".getBytes());
        ByteBuffer b = filled(200);
        e.encode(b, 8);
        assertZero(b, 8 + 28, 8 + 40);
        assertZero(b, 8 + 46, 8 + 64);
        assertEquals(e, Dirent.decode(b, 8, 3));
        assertCorrupt("de_name_len", () -> Dirent.decode(truncated(b, 8 + 23), 8, 3));
        ByteBuffer bad = truncated(b, 200);
        Dirent.setRecLen(bad, 8, 60);
        assertCorrupt("de_rec_len", () -> Dirent.decode(bad, 8, 3));
        // A linear directory block: ".", "..", and a sentinel-free tiling.
        ByteBuffer blk = filled(BS);
        Dirent dot = Dirent.of(".", new Inum(1, 100), Dirent.DT_DIR, 48);
        Dirent dotdot = Dirent.of("..", new Inum(1, 100), Dirent.DT_DIR, BS - 232 - 48);
        assertEquals(0x0ED4E242, dot.hash());
        assertEquals(0x9608161C, dotdot.hash());
        dot.encode(blk, 232);
        dotdot.encode(blk, 280);
        List<Dirent.Located> all = Dirent.walk(blk, 232, 100);
        assertEquals(List.of(new Dirent.Located(232, dot), new Dirent.Located(280, dotdot)), all);
        // Sentinel allowed only first.
        Dirent.sentinel(48).encode(blk, 232);
        assertEquals(1, Dirent.live(Dirent.walk(blk, 232, 100)).size());
        Dirent.sentinel(BS - 280).encode(blk, 280);
        dot.encode(blk, 232);
        assertCorrupt("de_inum", () -> Dirent.walk(blk, 232, 100));
        // Bad tiling: last rec_len short of the end.
        dotdot.withRecLen(BS - 280 - 8).encode(blk, 280);
        assertCorrupt("de_rec_len", () -> Dirent.walk(blk, 232, 100));
    }

    @Test
    void leaf() throws Exception {
        Leaf l = new Leaf(3, 2, 1200, 777, 2073, 1, 555, 1_700_000_000L);
        ByteBuffer b = filled(BS);
        l.encode(b);
        assertZero(b, Leaf.OFF_RESERVED, Leaf.SIZE);
        assertEquals(l, Leaf.decode(b, 8));
        b.putInt(Leaf.OFF_DIRENT_FORMAT, 1200 << 16);
        assertEquals(l, Leaf.decode(b, 8), "old-kernel dirent format read as 1200");
        assertCorrupt("lf_sec", () -> Leaf.decode(truncated(b, 60), 8));
        ByteBuffer type = truncated(b, BS);
        type.putInt(MetaHeader.OFF_TYPE, MetaType.DI.type());
        assertCorrupt("mh_type", () -> Leaf.decode(type, 8));
        ByteBuffer empty = filled(BS);
        Leaf.empty(0, 44).encodeEmpty(empty);
        Leaf e = Leaf.decode(empty, 9);
        List<Dirent.Located> ds = e.dirents(empty, 9);
        assertEquals(1, ds.size());
        assertTrue(ds.get(0).dirent().isSentinel());
        assertEquals(BS - 104, ds.get(0).dirent().recLen());
        Leaf.empty(0, 44).withEntries(1).encode(empty);
        assertCorrupt("lf_entries", () -> Leaf.decode(empty, 9).dirents(empty, 9));
    }

    @Test
    void eaBlockRecords() throws Exception {
        Geometry g = Geometry.of(BS);
        ByteBuffer b = filled(BS);
        EaBlock.encodeEmpty(b);
        List<EaBlock.Entry> empty = EaBlock.walk(b, 30, 1802);
        assertEquals(1, empty.size());
        assertTrue(empty.get(0).header().isUnused());
        assertEquals(g.jbsize(), empty.get(0).header().recLen());
        byte[] name = "color".getBytes();
        byte[] value = "blue".getBytes();
        EaHeader h1 = new EaHeader(32, value.length, name.length, EaHeader.TYPE_USER, 0, 0);
        assertEquals(32, h1.usedSize());
        EaBlock.encodeRecord(b, 24, h1, name, value, null);
        byte[] big = "big".getBytes();
        EaHeader h2 = new EaHeader(BS - 56, 6000, big.length, EaHeader.TYPE_USER, EaHeader.FLAG_LAST, 2);
        EaBlock.encodeRecord(b, 56, h2, big, null, new long[] {900, 901});
        assertZero(b, 24 + 12, 24 + 16);
        List<EaBlock.Entry> es = EaBlock.walk(b, 30, 1802);
        assertEquals(2, es.size());
        assertEquals("user.color", es.get(0).linuxName());
        assertArrayEquals(value, es.get(0).value());
        assertEquals(h1, es.get(0).header());
        assertEquals(h2, es.get(1).header());
        assertArrayEquals(new long[] {900, 901}, es.get(1).pointers());
        ByteBuffer eh = filled(32);
        h1.encode(eh, 0);
        assertEquals(h1, EaHeader.decode(eh, 0, 30));
        assertCorrupt("ea_num_ptrs", () -> EaHeader.decode(truncated(eh, 11), 0, 30));
        // Too few ED pointers for the value length.
        ByteBuffer few = truncated(b, BS);
        few.put(56 + EaHeader.OFF_NUM_PTRS, (byte) 1);
        assertCorrupt("ea_num_ptrs", () -> EaBlock.walk(few, 30, 1802));
        // LAST must end the block.
        ByteBuffer last = truncated(b, BS);
        last.put(24 + EaHeader.OFF_FLAGS, (byte) 1);
        assertCorrupt("ea_flags", () -> EaBlock.walk(last, 30, 1802));
        // trusted needs format 1802.
        ByteBuffer trusted = truncated(b, BS);
        trusted.put(24 + EaHeader.OFF_TYPE, (byte) EaHeader.TYPE_TRUSTED);
        assertEquals(2, EaBlock.walk(trusted, 30, 1802).size());
        assertCorrupt("ea_type", () -> EaBlock.walk(trusted, 30, 1801));
        ByteBuffer type = truncated(b, BS);
        type.putInt(MetaHeader.OFF_TYPE, MetaType.ED.type());
        assertCorrupt("mh_type", () -> EaBlock.walk(type, 30, 1802));
        assertTrue(EaHeader.fitsStuffed(5, 4000, g));
        assertFalse(EaHeader.fitsStuffed(5, 4060, g));
        assertEquals(2, EaHeader.edBlocksFor(6000, g));
    }

    @Test
    void edBlock() throws Exception {
        byte[] v = new byte[5000];
        for (int i = 0; i < v.length; i++) {
            v[i] = (byte) (i % 251);
        }
        ByteBuffer b = filled(BS);
        EdBlock.encode(b, v, 4072, 928);
        assertZero(b, 8, 16);
        assertZero(b, 24 + 928, BS);
        assertArrayEquals(Arrays.copyOfRange(v, 4072, 5000), EdBlock.decode(b, 12, 928));
        assertCorrupt("data", () -> EdBlock.decode(truncated(b, 500), 12, 928));
        ByteBuffer type = truncated(b, BS);
        type.putInt(MetaHeader.OFF_TYPE, MetaType.EA.type());
        assertCorrupt("mh_type", () -> EdBlock.decode(type, 12, 928));
    }

    @Test
    void smallRecords() throws Exception {
        ByteBuffer b = filled(100);
        StatfsChange sc = new StatfsChange(262104, 255157, -20);
        sc.encode(b, 4);
        assertEquals(sc, StatfsChange.decode(b, 4, 1));
        assertCorrupt("sc_dinodes", () -> StatfsChange.decode(truncated(b, 26), 4, 1));

        ByteBuffer q = filled(200);
        QuotaRecord qr = new QuotaRecord(1000, 900, 1);
        qr.encode(q, 88);
        assertZero(q, 88 + 24, 176);
        assertEquals(0x5a, q.get(176));
        assertEquals(qr, QuotaRecord.decode(q, 88, 1));
        assertCorrupt("qu_value", () -> QuotaRecord.decode(truncated(q, 110), 88, 1));
        assertEquals(0, QuotaRecord.userIndex(0));
        assertEquals(1, QuotaRecord.groupIndex(0));

        ByteBuffer qc = filled(BS);
        QuotaChange.encodeEmptyBlock(qc);
        assertZero(qc, 24, BS);
        QuotaChange c = new QuotaChange(-5, QuotaChange.FLAG_USER, 4000000000L);
        c.encode(qc, QuotaChange.OFF_SLOTS + 16 * 3);
        assertEquals(c, QuotaChange.decodeSlot(qc, 6, 3));
        assertTrue(QuotaChange.decodeSlot(qc, 6, 2).isFree());
        assertCorrupt("qc_id", () -> QuotaChange.decode(truncated(qc, 24 + 14), 24, 6));
        corruptMagic(qc);
        assertCorrupt("mh_magic", () -> QuotaChange.decodeSlot(qc, 6, 3));

        ByteBuffer ir = filled(16);
        new InumRange(7, 1048576).encode(ir, 0);
        assertEquals(new InumRange(7, 1048576), InumRange.decode(ir, 0, 1));
        assertCorrupt("ir_length", () -> InumRange.decode(truncated(ir, 12), 0, 1));
    }

    @Test
    void posixAcl() throws Exception {
        // The value from the kernel-4k manifest for tree/a/b/4097.
        byte[] raw = java.util.Base64.getDecoder().decode(
                "AgAAAAEABgD/////AgAGAOgDAAAEAAQA/////wgABABkAAAAEAAGAP////8gAAQA/////w==");
        PosixAcl acl = PosixAcl.decode(raw, -1);
        assertEquals(List.of(PosixAcl.Entry.of(PosixAcl.USER_OBJ, 6), new PosixAcl.Entry(PosixAcl.USER, 6, 1000),
                PosixAcl.Entry.of(PosixAcl.GROUP_OBJ, 4), new PosixAcl.Entry(PosixAcl.GROUP, 4, 100),
                PosixAcl.Entry.of(PosixAcl.MASK, 6), PosixAcl.Entry.of(PosixAcl.OTHER, 4)), acl.entries());
        assertArrayEquals(raw, acl.encode());
        assertEquals(0100664, acl.applyToMode(0100644), "group bits come from MASK");
        assertFalse(acl.isEquivalentToMode());
        PosixAcl chm = acl.chmod(0100750);
        assertEquals(0100750, chm.applyToMode(0100000));
        assertEquals(4, chm.entries().get(2).perm(), "GROUP_OBJ kept when a mask exists");
        PosixAcl min = PosixAcl.fromMode(0754);
        assertTrue(min.isEquivalentToMode());
        assertEquals(0100754, min.applyToMode(0100000));
        assertEquals(min, PosixAcl.decode(min.encode(), -1));
        PosixAcl inherited = acl.inheritFor(0640);
        assertEquals(0100640, inherited.applyToMode(0100000));
        assertEquals(300, PosixAcl.maxEntries(4096));
        assertEquals(75, PosixAcl.maxEntries(1024));
        assertCorrupt("length", () -> PosixAcl.decode(Arrays.copyOf(raw, raw.length - 3), -1));
        byte[] version = raw.clone();
        version[0] = 3;
        assertCorrupt("a_version", () -> PosixAcl.decode(version, -1));
        PosixAcl noMask = new PosixAcl(List.of(PosixAcl.Entry.of(PosixAcl.USER_OBJ, 6),
                new PosixAcl.Entry(PosixAcl.USER, 6, 5), PosixAcl.Entry.of(PosixAcl.GROUP_OBJ, 4),
                PosixAcl.Entry.of(PosixAcl.OTHER, 4)));
        assertTrue(noMask.problem().contains("MASK"));
        assertCorrupt("entries", () -> PosixAcl.decode(noMask.encode(), -1));
        PosixAcl unsorted = new PosixAcl(List.of(PosixAcl.Entry.of(PosixAcl.GROUP_OBJ, 4),
                PosixAcl.Entry.of(PosixAcl.USER_OBJ, 6), PosixAcl.Entry.of(PosixAcl.OTHER, 4)));
        assertTrue(unsorted.problem().contains("sorted"));
        assertNull(unsorted.sorted().problem());
    }

    @Test
    void posixAclInheritanceAtCreation() throws Exception {
        PosixAcl def = new PosixAcl(List.of(PosixAcl.Entry.of(PosixAcl.USER_OBJ, 7), new PosixAcl.Entry(PosixAcl.USER, 6, 1000),
                PosixAcl.Entry.of(PosixAcl.GROUP_OBJ, 5), PosixAcl.Entry.of(PosixAcl.MASK, 7), PosixAcl.Entry.of(PosixAcl.OTHER, 0)));
        PosixAcl.Inherited file = def.inheritWithMode(0100666);
        assertEquals(0100660, file.mode(), "owner 7&6, mask 7&6, other 0&6; file type kept");
        assertEquals(def.inheritFor(0100666), file.access());
        assertEquals(6, file.access().entries().get(3).perm(), "MASK limited by the group bits");
        assertEquals(5, file.access().entries().get(2).perm(), "GROUP_OBJ untouched when a mask exists");
        PosixAcl.Inherited setgidDir = PosixAcl.fromMode(0751).inheritWithMode(042775);
        assertEquals(042751, setgidDir.mode(), "setgid bit and type kept, rwx from the minimal ACL");
        assertNull(setgidDir.access(), "an inherited ACL equivalent to the mode is not stored");
        assertEquals("system.posix_acl_access", PosixAcl.ACCESS_XATTR);
        assertEquals("system.posix_acl_default", PosixAcl.DEFAULT_XATTR);
    }

    @Test
    void geometryTable() {
        int[][] expect = {
            // bsize, diptrs, inptrs, jbsize, maxStuffed, leafSpace, hashPtrs, minDepth, rgBits, rbBits, ldPtrs, qcSlots, maxHeight
            {512, 35, 61, 488, 280, 408, 32, 5, 384, 488, 55, 30, 10},
            {1024, 99, 125, 1000, 792, 920, 64, 6, 896, 1000, 119, 62, 8},
            {2048, 227, 253, 2024, 1816, 1944, 128, 7, 1920, 2024, 247, 126, 7},
            {4096, 483, 509, 4072, 3864, 3992, 256, 8, 3968, 4072, 503, 254, 6},
        };
        for (int[] e : expect) {
            Geometry g = Geometry.of(e[0]);
            assertArrayEquals(e, new int[] {g.bsize(), g.diptrs(), g.inptrs(), g.jbsize(), g.maxStuffed(),
                g.leafDirentSpace(), g.hashPtrs(), g.minDirDepth(), g.rgBitmapBytes(), g.rbBitmapBytes(),
                g.logDescriptorPtrs(), g.qcSlots(), g.maxHeight()}, "bsize " + e[0]);
            assertEquals(65536 / e[0], g.sbBlock());
        }
        Geometry g = Geometry.of(4096);
        assertEquals(1_978_368L, g.dataCapacity(1));
        assertEquals(1_006_989_312L, g.dataCapacity(2));
        assertEquals(0, g.heightForSize(3864));
        assertEquals(1, g.heightForSize(3865));
        assertEquals(1, g.heightForSize(1 << 20));
        assertEquals(2, g.heightForSize((4 << 20) + 4));
        assertEquals(2, g.heightForBlocks(2048));
        assertEquals(1, g.heightForBlocks(483));
        assertEquals(2, g.heightForBlocks(484));
        assertEquals(1, g.rgrpHeaderBlocks(3968));
        assertEquals(2, g.rgrpHeaderBlocks(3969));
        assertEquals(4, g.rgrpHeaderBlocks(15996));
        assertEquals((long) 4072 * 483, g.jdCapacity(1));
        assertThrows(IllegalArgumentException.class, () -> Geometry.of(8192));
        assertThrows(IllegalArgumentException.class, () -> Geometry.of(1000));
    }
}
