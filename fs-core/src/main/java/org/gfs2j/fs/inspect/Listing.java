package org.gfs2j.fs.inspect;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.gfs2j.fs.meta.DirectoryReader;
import org.gfs2j.fs.meta.FileSystemReader;
import org.gfs2j.fs.meta.Inode;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.journal.format.CorruptMetadataException;

/** {@code gfs2j ls}: names sorted bytewise, optionally long format and recursive. */
public final class Listing {
    private final FileSystemReader fs;
    private final boolean longFormat;
    private final boolean recursive;
    private final Consumer<String> out;

    public Listing(FileSystemReader fs, boolean longFormat, boolean recursive, Consumer<String> out) {
        this.fs = fs;
        this.longFormat = longFormat;
        this.recursive = recursive;
        this.out = out;
    }

    /** Lists {@code path}: a directory's entries, or the single non-directory itself. */
    public void list(String path) throws IOException {
        Inode inode = fs.resolve(path);
        if (!inode.dinode().isDirectory()) {
            out.accept(entry(inode, path));
            return;
        }
        listDirectory(inode, path, new HashSet<>(), true);
    }

    private void listDirectory(Inode dir, String path, Set<Long> visited, boolean first) throws IOException {
        if (!visited.add(dir.addr())) {
            throw new CorruptMetadataException(dir.addr(), "directory " + path, "di_num",
                    "directory reached a second time (a loop or a hard link to a directory)");
        }
        if (recursive) {
            if (!first) {
                out.accept("");
            }
            out.accept(path + ":");
        }
        List<DirectoryReader.Entry> entries = new ArrayList<>(fs.directory(dir).list());
        entries.removeIf(DirectoryReader.Entry::isDot);
        entries.sort((a, b) -> Arrays.compareUnsigned(a.nameBytes(), b.nameBytes()));
        List<Inode> subdirs = new ArrayList<>();
        List<String> subpaths = new ArrayList<>();
        for (DirectoryReader.Entry e : entries) {
            Inode child = longFormat || recursive ? fs.inode(dir, e) : null;
            out.accept(child == null ? e.name() : entry(child, e.name()));
            if (recursive && child.dinode().isDirectory()) {
                subdirs.add(child);
                subpaths.add(path.endsWith("/") ? path + e.name() : path + "/" + e.name());
            }
        }
        for (int i = 0; i < subdirs.size(); i++) {
            listDirectory(subdirs.get(i), subpaths.get(i), visited, false);
        }
    }

    private String entry(Inode inode, String name) throws IOException {
        if (!longFormat) {
            return name;
        }
        Dinode d = inode.dinode();
        String size = d.fileType() == Dinode.S_IFCHR || d.fileType() == Dinode.S_IFBLK
                ? d.major() + ", " + d.minor() : Long.toUnsignedString(d.size());
        String line = String.format("%s %d %d %d %s %s %s", ModeString.of(d.mode()), d.nlink(), d.uid(), d.gid(), size,
                Times.seconds(d.mtime()), name);
        if (d.isSymlink()) {
            line += " -> " + new String(fs.symlinkTarget(inode), StandardCharsets.UTF_8);
        }
        return line;
    }
}
