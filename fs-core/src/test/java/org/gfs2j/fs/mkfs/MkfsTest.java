package org.gfs2j.fs.mkfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
    }
}
