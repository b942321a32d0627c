package org.gfs2j.fs.inspect;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.gfs2j.fs.meta.DirectoryReader;
import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.meta.Inode;
import org.gfs2j.fs.meta.Statfs;
import org.gfs2j.fs.meta.Xattr;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.journal.format.CorruptMetadataException;

/**
 * Writes the manifest of an image's user tree in the format of shared/images/README.md: one
 * tab-separated line per path (sorted bytewise), {@code # xattrs} in getfattr -h -d -m - format,
 * and the {@code # statfs} line. Tests compare it with the manifests the kernel produced, and
 * later tests can compare images against models with it.
 */
public final class ManifestWriter {
    private final FileSystemReader fs;

    public ManifestWriter(FileSystemReader fs) {
        this.fs = fs;
    }

    private record Item(byte[] path, String line, List<Xattr> xattrs) {
    }

    /** The whole manifest as text (lines ending in newline). */
    public String manifest() throws IOException {
        List<Item> items = new ArrayList<>();
        walk(fs.root(), ".", items, new HashSet<>());
        items.sort((a, b) -> Arrays.compareUnsigned(a.path, b.path));
        StringBuilder out = new StringBuilder();
        for (Item it : items) {
            out.append(it.line).append('\n');
        }
        out.append("# xattrs\n");
        for (Item it : items) {
            if (it.xattrs.isEmpty()) {
                continue;
            }
            String p = new String(it.path, StandardCharsets.UTF_8);
            out.append(XattrText.fileHeader(p.equals(".") ? "." : p.substring(2))).append('\n');
            for (Xattr x : XattrText.sorted(it.xattrs)) {
                out.append(XattrText.line(x)).append('\n');
            }
            out.append('\n');
        }
        Statfs s = fs.statfs();
        out.append(String.format("# statfs bsize=%d blocks=%d bfree=%d bavail=%d files=%d ffree=%d%n",
                s.bsize(), s.blocks(), s.bfree(), s.bavail(), s.files(), s.ffree()));
        return out.toString();
    }

    private void walk(Inode inode, String path, List<Item> items, Set<Long> dirs) throws IOException {
        items.add(new Item(path.getBytes(StandardCharsets.UTF_8), line(inode, path), fs.xattrs(inode).list()));
        if (!inode.dinode().isDirectory()) {
            return;
        }
        if (!dirs.add(inode.addr())) {
            throw new CorruptMetadataException(inode.addr(), "directory " + path, "di_num",
                    "directory reached a second time (a loop or a hard link to a directory)");
        }
        for (DirectoryReader.Entry e : fs.directory(inode).list()) {
            if (e.isDot()) {
                continue;
            }
            walk(fs.inode(inode, e), path + "/" + e.name(), items, dirs);
        }
    }

    private String line(Inode inode, String path) throws IOException {
        Dinode d = inode.dinode();
        char type = ModeString.typeLetter(d.mode());
        String last;
        switch (type) {
            case 'f' -> last = md5(inode);
            case 'l' -> last = new String(fs.symlinkTarget(inode), StandardCharsets.UTF_8);
            case 'c', 'b' -> last = d.major() + ":" + d.minor();
            default -> last = "-";
        }
        return String.join("\t", path, String.valueOf(type), String.format("%04o", d.mode() & 07777),
                Long.toString(d.uid()), Long.toString(d.gid()), Long.toUnsignedString(d.size()),
                Long.toString(d.nlink()), last);
    }

    private String md5(Inode inode) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        fs.file(inode).copyTo(new OutputStream() {
            @Override
            public void write(int b) {
                md.update((byte) b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                md.update(b, off, len);
            }
        });
        return HexFormat.of().formatHex(md.digest());
    }
}
