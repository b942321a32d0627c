package org.gfs2j.fs.inspect;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.gfs2j.fs.meta.Extent;
import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.meta.Journal;
import org.gfs2j.journal.format.LogHeader;
import org.gfs2j.fs.meta.ResourceGroup;
import org.gfs2j.fs.ondisk.Geometry;
import org.gfs2j.fs.ondisk.RgrpBitmap;
import org.gfs2j.fs.ondisk.RindexEntry;
import org.gfs2j.fs.ondisk.Superblock;
import org.gfs2j.journal.format.CorruptMetadataException;

/** Text for {@code gfs2j show sb|rgs|journals}. */
public final class FsReport {
    private FsReport() {
    }

    public static List<String> superblock(FileSystemReader fs) {
        Superblock sb = fs.superblock();
        Geometry g = fs.geometry();
        List<String> out = new ArrayList<>();
        out.add("Superblock: block " + g.sbBlock() + " (byte " + Geometry.SB_BYTE_OFFSET + ")");
        out.add("sb_fs_format: " + sb.fsFormat());
        out.add("sb_multihost_format: " + sb.multihostFormat());
        out.add("sb_bsize: " + sb.bsize());
        out.add("sb_bsize_shift: " + sb.bsizeShift());
        out.add("sb_master_dir: " + sb.masterDir().addr() + " (formal " + sb.masterDir().formalIno() + ")");
        out.add("sb_root_dir: " + sb.rootDir().addr() + " (formal " + sb.rootDir().formalIno() + ")");
        out.add("sb_lockproto: " + sb.lockProto());
        out.add("sb_locktable: " + sb.lockTable());
        out.add("sb_uuid: " + sb.uuid());
        out.add("Device blocks: " + fs.source().blockCount());
        return out;
    }

    /** One line per rgrp; an rgrp that fails to decode gets an "error:" line (see {@link #hasErrors}). */
    public static List<String> resourceGroups(FileSystemReader fs) throws IOException {
        List<String> out = new ArrayList<>();
        out.add(String.format("%-10s %6s %10s %8s %8s %8s %8s %10s %10s", "addr", "length", "data0", "data", "free",
                "dinodes", "crc", "bm-free", "bm-dinodes"));
        int i = 0;
        for (RindexEntry e : fs.rindex()) {
            try {
                ResourceGroup rg = fs.resourceGroup(e);
                RgrpBitmap bm = rg.bitmap();
                out.add(String.format("%-10d %6d %10d %8d %8d %8d %8s %10d %10d", e.addr(), e.length(), e.data0(), e.data(),
                        rg.header().free(), rg.header().dinodes(), rg.crcPresent() ? "ok" : "none",
                        bm.count(RgrpBitmap.FREE), bm.count(RgrpBitmap.DINODE)));
            } catch (CorruptMetadataException ex) {
                out.add(String.format("%-10d error: %s", e.addr(), ex.getMessage()));
            }
            i++;
        }
        out.add(i + " resource groups");
        return out;
    }

    public static boolean hasErrors(List<String> lines) {
        return lines.stream().anyMatch(l -> l.contains(" error: "));
    }

    public static List<String> journals(FileSystemReader fs) throws IOException {
        List<String> out = new ArrayList<>();
        for (Journal j : fs.journals()) {
            out.add(String.format("%s: dinode %d, %d bytes (%d blocks), %d extent%s", j.name(), j.inode().addr(),
                    j.inode().dinode().size(), j.blocks(), j.extents().size(), j.extents().size() == 1 ? "" : "s"));
            for (Extent e : j.extents()) {
                out.add(String.format("  journal blocks %d..%d at device blocks %d..%d", e.logical(), e.logicalEnd() - 1,
                        e.device(), e.deviceEnd() - 1));
            }
            Journal.Head h = fs.head(j);
            if (!h.found()) {
                out.add("  head: none found (no valid log header) - journal is corrupt");
                continue;
            }
            LogHeader lh = h.header();
            out.add(String.format("  head: journal block %d, sequence %d, flags 0x%08x, tail %d, lh_blkno %d, %s",
                    h.index(), lh.sequence(), lh.flags(), lh.tail(), lh.blkno(), h.isClean() ? "clean" : "dirty"));
        }
        return out;
    }
}
