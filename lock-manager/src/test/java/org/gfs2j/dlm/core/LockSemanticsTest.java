package org.gfs2j.dlm.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import java.util.ArrayList;
import java.util.List;
import org.gfs2j.dlm.Completion;
import org.gfs2j.dlm.DlmException;
import org.gfs2j.dlm.DlmStatus;
import org.gfs2j.dlm.LockCallbacks;
import org.gfs2j.dlm.LockFlags;
import org.gfs2j.dlm.LockMode;
import org.junit.jupiter.api.Test;

/** The lock semantics of spec section 1 on a single-node core (every resource mastered locally). */
class LockSemanticsTest {
    final LockspaceCore core = new LockspaceCore("t", 1, List.of(1), 32, 1, env -> {
        throw new AssertionError("single node must not send");
    }, System::nanoTime, new MetricRegistry(), false);
    final List<String> events = new ArrayList<>();
    final List<Completion> completions = new ArrayList<>();

    static final byte[] R = "       2            1a2b".getBytes();
    static final int V = LockFlags.VALBLK;

    LockCallbacks cb(String who) {
        return new LockCallbacks() {
            @Override
            public void completed(Completion c) {
                completions.add(c);
                events.add(who + ":" + DlmStatus.name(c.status()) + ":" + c.mode());
            }

            @Override
            public void blocking(int lockId, LockMode wanted) {
                events.add(who + ":bast:" + wanted);
            }
        };
    }

    int lock(String who, LockMode m, int flags) {
        int id = core.lock(R, m, flags, cb(who));
        core.deliverCallbacks();
        return id;
    }

    void convert(int id, LockMode m, int flags, byte[] lvb) {
        core.convert(id, m, flags, lvb);
        core.deliverCallbacks();
    }

    void unlock(int id, int flags, byte[] lvb) {
        core.unlock(id, flags, lvb);
        core.deliverCallbacks();
    }

    List<String> take() {
        List<String> out = new ArrayList<>(events);
        events.clear();
        return out;
    }

    @Test
    void compatibilityMatrixIsSymmetricAndAsSpecified() {
        String[] rows = {"111111", "111110", "111000", "110100", "110000", "100000"};
        for (LockMode a : LockMode.values()) {
            for (LockMode b : LockMode.values()) {
                assertEquals(rows[a.code].charAt(b.code) == '1', a.compatibleWith(b), a + " vs " + b);
                assertEquals(a.compatibleWith(b), b.compatibleWith(a));
            }
        }
    }

    @Test
    void incompatibleRequestQueuesBlocksAndIsGrantedOnUnlock() {
        int a = lock("a", LockMode.EX, 0);
        assertEquals(List.of("a:OK:EX"), take());
        int b = lock("b", LockMode.PR, 0);
        assertEquals(List.of("a:bast:PR"), take());
        unlock(a, 0, null);
        assertEquals(List.of("a:EUNLOCK:null", "b:OK:PR"), take());
        unlock(b, 0, null);
    }

    @Test
    void noqueueFailsWithEagainAndNoqueuebastStillNotifies() {
        lock("a", LockMode.PW, 0);
        take();
        lock("b", LockMode.PR, LockFlags.NOQUEUE);
        assertEquals(List.of("b:EAGAIN:null"), take());
        lock("c", LockMode.EX, LockFlags.NOQUEUE | LockFlags.NOQUEUEBAST);
        assertEquals(List.of("c:EAGAIN:null", "a:bast:EX"), take());
        assertTrue(core.holderGrantedModes().size() == 1, "refused locks must not exist");
    }

    @Test
    void conversionDeadlockIsRefusedOrDemoted() {
        int a = lock("a", LockMode.PR, 0);
        int b = lock("b", LockMode.PR, 0);
        take();
        convert(a, LockMode.EX, LockFlags.QUECVT, null);
        assertEquals(List.of("b:bast:EX"), take());
        convert(b, LockMode.EX, LockFlags.QUECVT, null);
        assertEquals(List.of("b:EDEADLK:PR"), take());
        // with CONVDEADLK b is demoted to NL, which lets a convert; b then waits for EX
        convert(b, LockMode.EX, LockFlags.CONVDEADLK, null);
        List<String> ev = take();
        assertTrue(ev.contains("a:OK:EX"), ev.toString());
        unlock(a, 0, null);
        Completion last = completions.get(completions.size() - 1);
        assertEquals(b, last.lockId());
        assertEquals(LockMode.EX, last.mode());
        assertTrue((last.sbFlags() & DlmStatus.SBF_DEMOTED) != 0, "b's conversion must report the demotion");
    }

    @Test
    void invalidCallsAreRejectedWithoutCallback() {
        int a = lock("a", LockMode.EX, 0);
        take();
        assertEquals(DlmStatus.EINVAL, assertThrows(DlmException.class, () -> core.convert(a, LockMode.PR, LockFlags.QUECVT, null)).status());
        assertEquals(DlmStatus.EINVAL, assertThrows(DlmException.class, () -> core.lock(new byte[65], LockMode.NL, 0, cb("x"))).status());
        assertEquals(DlmStatus.EINVAL, assertThrows(DlmException.class, () -> core.lock(R, LockMode.PR, LockFlags.EXPEDITE, cb("x"))).status());
        assertEquals(DlmStatus.EINVAL, assertThrows(DlmException.class, () -> core.convert(a, LockMode.PR, LockFlags.CONVDEADLK | LockFlags.NOQUEUE, null)).status());
        int b = lock("b", LockMode.EX, 0);
        take();
        assertEquals(DlmStatus.EBUSY, assertThrows(DlmException.class, () -> core.convert(b, LockMode.PR, 0, null)).status());
        assertEquals(DlmStatus.EBUSY, assertThrows(DlmException.class, () -> core.unlock(b, 0, null)).status());
        core.deliverCallbacks();
        assertEquals(List.of(), take());
    }

    @Test
    void valueBlockWriteReadInvalidate() {
        byte[] v1 = new byte[32];
        v1[0] = 42;
        int a = lock("a", LockMode.EX, V);
        assertArrayEquals(new byte[32], completions.get(0).lvb(), "never-written value reads as zeros");
        convert(a, LockMode.NL, V, v1); // EX -> NL writes
        int b = lock("b", LockMode.PR, V);
        Completion cb = completions.get(completions.size() - 1);
        assertArrayEquals(v1, cb.lvb());
        assertFalse(cb.valueInvalid());
        // a PR holder cannot write: its down-conversion leaves the value alone
        byte[] junk = new byte[32];
        junk[0] = 7;
        convert(b, LockMode.NL, V, junk);
        convert(a, LockMode.EX, V, null);
        assertArrayEquals(v1, completions.get(completions.size() - 1).lvb());
        unlock(a, V | LockFlags.IVVALBLK, null); // invalidate
        convert(b, LockMode.PR, V, null);
        Completion inv = completions.get(completions.size() - 1);
        assertTrue(inv.valueInvalid(), "IVVALBLK must mark the value invalid");
        convert(b, LockMode.EX, V, null);
        byte[] v2 = new byte[32];
        v2[1] = 9;
        convert(b, LockMode.NL, V, v2); // a write from EX clears the mark
        int c = lock("c", LockMode.CR, V);
        Completion ok = completions.get(completions.size() - 1);
        assertArrayEquals(v2, ok.lvb());
        assertFalse(ok.valueInvalid());
        unlock(c, 0, null);
    }

    @Test
    void cancelRemovesAWaitingRequestAndRevertsAQueuedConversion() {
        int a = lock("a", LockMode.EX, 0);
        int b = lock("b", LockMode.EX, 0);
        take();
        core.cancel(b);
        core.deliverCallbacks();
        assertEquals(List.of("b:ECANCEL:null"), take());
        int c = lock("c", LockMode.NL, 0);
        take();
        convert(c, LockMode.PR, LockFlags.QUECVT, null);
        core.cancel(c);
        core.deliverCallbacks();
        assertEquals(List.of("c:ECANCEL:NL"), take());
        core.cancel(a); // nothing pending: no callback
        core.deliverCallbacks();
        assertEquals(List.of(), take());
    }

    @Test
    void alternateModeExpediteAndHeadQueue() {
        int a = lock("a", LockMode.PR, 0);
        take();
        lock("b", LockMode.CW, LockFlags.ALTPR);
        Completion alt = completions.get(completions.size() - 1);
        assertEquals(LockMode.PR, alt.mode());
        assertTrue((alt.sbFlags() & DlmStatus.SBF_ALTMODE) != 0);
        take();
        lock("w1", LockMode.EX, 0);
        lock("w2", LockMode.EX, 0);
        lock("h", LockMode.EX, LockFlags.HEADQUE);
        lock("e", LockMode.NL, LockFlags.EXPEDITE);
        List<String> ev = take();
        assertTrue(ev.contains("e:OK:NL"), "EXPEDITE NL is granted past the queue: " + ev);
        unlock(a, 0, null);
        unlock(alt.lockId(), 0, null);
        List<String> after = take();
        assertTrue(after.contains("h:OK:EX") && !after.contains("w1:OK:EX"), "HEADQUE goes first: " + after);
    }

    @Test
    void nodlckwtKeepsTheDeadlockedConversionQueuedAndTellsItsOwner() {
        int a = lock("a", LockMode.PR, 0);
        int b = lock("b", LockMode.PR, 0);
        take();
        convert(a, LockMode.PW, 0, null);
        assertEquals(List.of("b:bast:PW"), take());
        convert(b, LockMode.EX, LockFlags.NODLCKWT, null);
        List<String> ev = take();
        assertTrue(ev.contains("b:bast:EX"), "the deadlocked lock itself gets a blocking callback: " + ev);
        assertFalse(ev.stream().anyMatch(e -> e.startsWith("b:EDEADLK")), ev.toString());
        core.cancel(b); // its owner resolves it
        core.deliverCallbacks();
        ev = take();
        assertTrue(ev.contains("b:ECANCEL:PR"), ev.toString());
        unlock(b, 0, null);
        assertTrue(take().contains("a:OK:PW"));
    }
}
