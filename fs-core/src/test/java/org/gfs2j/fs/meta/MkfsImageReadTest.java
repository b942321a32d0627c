package org.gfs2j.fs.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.gfs2j.fs.inspect.ManifestWriter;
import org.gfs2j.fs.ondisk.Dinode;
import org.gfs2j.fs.testing.Gfs2Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Images made by mkfs.gfs2 in the test: an empty file system, and enough journals to exhash jindex/per_node. */
class MkfsImageReadTest {
    @TempDir
    Path dir;

    @Test
    void emptyFileSystem() throws Exception {
        Path img = Gfs2Tools.mkfs(dir, "empty.img", 64L << 20, "-b", "4096", "-p", "lock_nolock", "-j", "1", "-J", "8");
        try (FileSystemReader fs = FileSystemReader.open(img)) {
            List<DirectoryReader.Entry> root = fs.directory(fs.root()).list();
            assertEquals(2, root.size(), root.toString());
            assertTrue(root.stream().allMatch(DirectoryReader.Entry::isDot));
            String manifest = new ManifestWriter(fs).manifest();
            assertTrue(manifest.startsWith(".\td\t0755\t0\t0\t3864\t2\t-\n# xattrs\n# statfs bsize=4096 "), manifest);
            Journal j = fs.journals().get(0);
            assertEquals(2048, j.blocks());
            Journal.Head h = fs.head(j);
            // mkfs: every block a header with UNMOUNT|USERSPACE, sequences a rotation of 0..J-1
            assertEquals(h.index() + 1, h.validHeaders());
            assertEquals(j.blocks() - 1, h.header().sequence());
            assertEquals(0x80000001, h.header().flags());
            assertTrue(h.isClean());
            Statfs s = fs.statfs();
            long data = fs.rindex().stream().mapToLong(e -> e.data()).sum();
            assertEquals(data, s.blocks());
            assertEquals(s.bfree(), fs.resourceGroups().stream().mapToLong(r -> r.header().free()).sum());
        }
    }

    @Test
    void manyJournalsMakeJindexAndPerNodeExhash() throws Exception {
        int journals = 14;
        Path img = Gfs2Tools.mkfs(dir, "many.img", 256L << 20, "-b", "1024", "-p", "lock_nolock", "-j",
                String.valueOf(journals), "-J", "8");
        try (FileSystemReader fs = FileSystemReader.open(img)) {
            Inode jindex = fs.systemFile("jindex");
            Inode perNode = fs.systemFile("per_node");
            assertTrue(jindex.dinode().isExhashDir());
            assertTrue(perNode.dinode().isExhashDir());
            assertTrue(jindex.dinode().hasFlag(Dinode.FLAG_SYSTEM));
            List<Journal> js = fs.journals();
            assertEquals(journals, js.size());
            for (int i = 0; i < journals; i++) {
                assertEquals(i, js.get(i).id());
                assertEquals(js.get(i).extents(), fs.journalExtents(i));
                assertTrue(fs.head(js.get(i)).isClean());
                assertTrue(fs.lookup(perNode, "statfs_change" + i).isPresent());
                assertTrue(fs.lookup(perNode, "quota_change" + i).isPresent());
                assertTrue(fs.lookup(perNode, "inum_range" + i).isPresent());
            }
            assertFalse(fs.lookup(perNode, "statfs_change" + journals).isPresent());
            assertEquals(journals, fs.statfsChanges().size());
            assertEquals(2 + 3 * journals, fs.directory(perNode).list().size());
            assertEquals(perNode.dinode().entries(), fs.directory(perNode).list().size());
        }
    }
}
