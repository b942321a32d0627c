package org.gfs2j.journal.log;

import static org.gfs2j.journal.testing.TestJournal.BSIZE;
import static org.gfs2j.journal.testing.TestJournal.HOME;
import static org.gfs2j.journal.testing.TestJournal.meta;
import static org.gfs2j.journal.testing.TestJournal.valueAt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.gfs2j.journal.testing.MemoryDevice;
import org.gfs2j.journal.testing.TestJournal;
import org.junit.jupiter.api.Test;

/**
 * Crash at every write of a workload, whole or torn at a sector boundary, then replay: the blocks
 * must be exactly the state after the last fsynced transaction or after the one in flight (all or
 * nothing), never a mixture, and a transaction whose header write was torn must not be replayed.
 */
class TornWriteTest {
    private static final int J = 24;
    private static final int BLOCKS = 6;
    private static final int TRANSACTIONS = 60;

    @Test
    void everyCrashPointRecoversToACommittedState() throws Exception {
        MemoryDevice dev = new MemoryDevice((long) TestJournal.DEVICE_BLOCKS * BSIZE);
        JournalIo io = TestJournal.format(dev, J, 5);
        byte[] base = dev.contents();
        dev.record();
        JournalLog log = JournalLog.open(io, LogConfig.create().jinodeAddr(TestJournal.JINODE)
                .policy(FlushPolicy.everyCommit()));
        List<long[]> states = new ArrayList<>();
        long[] state = new long[BLOCKS];
        Arrays.fill(state, -1);
        states.add(state.clone());
        List<Integer> durableAt = new ArrayList<>();
        durableAt.add(0);
        List<Integer> headerWrites = new ArrayList<>();
        for (int t = 1; t <= TRANSACTIONS; t++) {
            int n = 1 + t % 3;
            try (Transaction tx = log.begin(n, 0)) {
                for (int k = 0; k < n; k++) {
                    int b = (t * 5 + k * 2) % BLOCKS;
                    tx.addMetadata(HOME + b, meta(t));
                    state[b] = t;
                }
                tx.commit();
            }
            states.add(state.clone());
            durableAt.add(dev.writes().size());
            headerWrites.add(lastHeaderWrite(dev.writes()));
            if (t % 7 == 0) {
                log.writeBackAll(FlushReason.EXPLICIT);
            }
        }
        log.abandon();
        List<MemoryDevice.Write> writes = new ArrayList<>(dev.writes());
        int checked = 0;
        for (int k = 0; k <= writes.size(); k++) {
            // 0: the write did not happen; 1: torn at a sector boundary in its middle; 2: for a
            // header write, torn inside the sector holding the header fields
            for (int variant = 0; variant < 3; variant++) {
                boolean torn = variant > 0;
                if (torn && (k == writes.size() || writes.get(k).isFlush())) {
                    continue;
                }
                boolean isHeader = headerWrites.contains(k);
                if (variant == 2 && !isHeader) {
                    continue;
                }
                int len = torn ? writes.get(k).data().length : 0;
                int tornBytes = variant == 1 ? Math.max(512, (len / 2) / 512 * 512) : variant == 2 ? 40 : 0;
                MemoryDevice crashed = MemoryDevice.replay(base, writes, k, tornBytes);
                JournalIo cio = new JournalIo(crashed, io.extents(), BSIZE);
                JournalRecovery.recover(cio, 0, Clock.systemUTC());
                long[] got = new long[BLOCKS];
                for (int b = 0; b < BLOCKS; b++) {
                    got[b] = valueAt(crashed, HOME + b);
                }
                int m = 0;
                while (m + 1 < durableAt.size() && durableAt.get(m + 1) <= k) {
                    m++;
                }
                String where = "crash at write " + k + (torn ? " torn at " + tornBytes : "") + ", " + m + " fsynced";
                boolean tornHeader = variant == 2 && m < headerWrites.size() && headerWrites.get(m) == k;
                if (tornHeader || m + 1 >= states.size()) {
                    assertArrayEquals(states.get(m), got, where);
                } else {
                    assertTrue(Arrays.equals(states.get(m), got) || Arrays.equals(states.get(m + 1), got),
                            where + ": got " + Arrays.toString(got) + ", expected " + Arrays.toString(states.get(m))
                                    + " or " + Arrays.toString(states.get(m + 1)));
                }
                checked++;
            }
        }
        assertTrue(checked > 2 * TRANSACTIONS, "crash points checked: " + checked);
    }

    private static int lastHeaderWrite(List<MemoryDevice.Write> writes) {
        for (int i = writes.size() - 1; i >= 0; i--) {
            MemoryDevice.Write w = writes.get(i);
            if (!w.isFlush() && w.data().length == BSIZE
                    && org.gfs2j.journal.format.LogHeader.tryDecode(java.nio.ByteBuffer.wrap(w.data())) != null) {
                return i;
            }
        }
        return -1;
    }
}
