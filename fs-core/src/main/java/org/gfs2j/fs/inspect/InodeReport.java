package org.gfs2j.fs.inspect;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.gfs2j.fs.meta.DirectoryReader;
import org.gfs2j.fs.meta.Extent;
import org.gfs2j.fs.meta.FileMap;
import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.meta.Inode;
import org.gfs2j.fs.ondisk.Dinode;

/** Text for {@code gfs2j stat} and {@code gfs2j show inode N}: every dinode field, and the tree. */
public final class InodeReport {
    private static final String[] FLAG_NAMES = new String[32];
    /** Extents listed before "... and N more". */
    public static final int MAX_EXTENTS_SHOWN = 32;

    static {
        FLAG_NAMES[0] = "jdata";
        FLAG_NAMES[1] = "exhash";
        FLAG_NAMES[2] = "unused(gfs1)";
        FLAG_NAMES[3] = "ea_indirect";
        FLAG_NAMES[4] = "directio";
        FLAG_NAMES[5] = "immutable";
        FLAG_NAMES[6] = "appendonly";
        FLAG_NAMES[7] = "noatime";
        FLAG_NAMES[8] = "sync";
        FLAG_NAMES[9] = "system";
        FLAG_NAMES[10] = "topdir";
        FLAG_NAMES[29] = "trunc_in_prog";
        FLAG_NAMES[30] = "inherit_directio";
        FLAG_NAMES[31] = "inherit_jdata";
    }

    private InodeReport() {
    }

    /** "jdata|exhash|system" (unknown bits as bitN), or "none". */
    public static String flags(int flags) {
        List<String> names = new ArrayList<>();
        for (int bit = 0; bit < 32; bit++) {
            if ((flags & (1 << bit)) != 0) {
                names.add(FLAG_NAMES[bit] != null ? FLAG_NAMES[bit] : "bit" + bit);
            }
        }
        return names.isEmpty() ? "none" : String.join("|", names);
    }

    /** Every field of the dinode, one "name: value" per line. */
    public static List<String> stat(FileSystemReader fs, Inode inode, String path) throws IOException {
        Dinode d = inode.dinode();
        List<String> out = new ArrayList<>();
        if (path != null) {
            out.add("File: " + path);
        }
        out.add("Block: " + inode.addr());
        out.add("Formal inode number: " + d.num().formalIno());
        out.add("Type: " + ModeString.typeName(d.mode()));
        out.add(String.format("Mode: 0%o (%s)", d.mode(), ModeString.of(d.mode())));
        out.add("Uid: " + d.uid());
        out.add("Gid: " + d.gid());
        out.add("Links: " + d.nlink());
        out.add("Size: " + Long.toUnsignedString(d.size()));
        out.add("Blocks (di_blocks): " + Long.toUnsignedString(d.blocks()));
        if (d.fileType() == Dinode.S_IFCHR || d.fileType() == Dinode.S_IFBLK) {
            out.add("Device: " + d.major() + ":" + d.minor());
        } else {
            out.add("Major/minor: " + d.major() + ":" + d.minor());
        }
        if (d.isSymlink()) {
            out.add("Target: " + new String(fs.symlinkTarget(inode), StandardCharsets.UTF_8));
        }
        out.add("Height: " + d.height() + (d.height() == 0 ? " (stuffed)" : ""));
        out.add("Depth: " + d.depth());
        out.add("Entries: " + d.entries());
        out.add(String.format("Flags: 0x%08x (%s)", d.flags(), flags(d.flags())));
        out.add("Payload format: " + d.payloadFormat());
        out.add("Goal meta: " + d.goalMeta());
        out.add("Goal data: " + d.goalData());
        out.add("Generation: " + d.generation());
        out.add("Eattr: " + d.eattr() + (d.eattr() == 0 ? " (none)" : d.hasFlag(Dinode.FLAG_EA_INDIRECT) ? " (indirect)" : " (direct)"));
        out.add("Access: " + Times.full(d.atime(), d.atimeNsec()));
        out.add("Modify: " + Times.full(d.mtime(), d.mtimeNsec()));
        out.add("Change: " + Times.full(d.ctime(), d.ctimeNsec()));
        return out;
    }

    /** {@link #stat} plus the block tree: blocks per level, extents, leaves and EA blocks. */
    public static List<String> show(FileSystemReader fs, Inode inode) throws IOException {
        List<String> out = stat(fs, inode, null);
        Dinode d = inode.dinode();
        FileMap map = fs.fileMap(inode);
        long[] levels = map.blocksPerLevel();
        StringBuilder tree = new StringBuilder("Tree: height " + d.height() + ";");
        for (int l = 0; l < levels.length; l++) {
            String what = l == 0 ? "dinode" : l == levels.length - 1 ? (map.isJournaled() ? "jd" : "data") : "indirect";
            tree.append(" level ").append(l).append(' ').append(what).append(' ').append(levels[l]);
            tree.append(l + 1 < levels.length ? "," : "");
        }
        out.add(tree.toString());
        long total = 0;
        for (long n : levels) {
            total += n;
        }
        if (d.isExhashDir()) {
            List<Long> leaves = fs.directory(inode).leafBlocks();
            out.add("Leaves: " + leaves.size() + " " + abbreviate(leaves));
            total += leaves.size();
        }
        long ea = fs.xattrs(inode).blockCount();
        out.add("Extended attribute blocks: " + ea);
        total += ea;
        out.add("Blocks counted: " + total + (total == d.blocks() ? " (matches di_blocks)" : " (di_blocks says " + d.blocks() + ")"));
        List<Extent> ext = map.extents();
        out.add("Extents: " + ext.size());
        for (int i = 0; i < ext.size() && i < MAX_EXTENTS_SHOWN; i++) {
            Extent e = ext.get(i);
            out.add(String.format("  logical %d..%d -> blocks %d..%d (%d)", e.logical(), e.logicalEnd() - 1,
                    e.device(), e.deviceEnd() - 1, e.length()));
        }
        if (ext.size() > MAX_EXTENTS_SHOWN) {
            out.add("  ... and " + (ext.size() - MAX_EXTENTS_SHOWN) + " more");
        }
        if (d.isDirectory()) {
            DirectoryReader dr = fs.directory(inode);
            out.add("Directory: " + (dr.isExhash() ? "exhash, depth " + d.depth() : "linear") + ", " + dr.list().size() + " entries");
        }
        return out;
    }

    private static String abbreviate(List<Long> blocks) {
        if (blocks.size() <= 16) {
            return blocks.toString();
        }
        return blocks.subList(0, 16).toString().replace("]", ", ...]");
    }
}
