package org.gfs2j.fuse.session;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Requests in flight by unique id, so that an INTERRUPT can reach its target. An INTERRUPT may
 * overtake its target (another worker is still reading it): it is remembered, bounded, and applied
 * when the target registers.
 */
final class InterruptRegistry {
    private static final int MAX_PENDING = 256;

    private final Map<Long, RequestContext> inFlight = new HashMap<>();
    private final LinkedHashMap<Long, Boolean> pending = new LinkedHashMap<>() {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
            return size() > MAX_PENDING;
        }
    };

    void begin(RequestContext ctx) {
        boolean early;
        synchronized (this) {
            inFlight.put(ctx.unique(), ctx);
            early = pending.remove(ctx.unique()) != null;
        }
        if (early) {
            ctx.interrupt();
        }
    }

    synchronized void end(RequestContext ctx) {
        inFlight.remove(ctx.unique(), ctx);
    }

    /** Returns true if the target was in flight. */
    boolean interrupt(long targetUnique) {
        RequestContext ctx;
        synchronized (this) {
            ctx = inFlight.get(targetUnique);
            if (ctx == null) {
                pending.put(targetUnique, Boolean.TRUE);
                return false;
            }
        }
        ctx.interrupt();
        return true;
    }

    /** Interrupts everything in flight (session shutdown: unblocks waiting lock requests). */
    void interruptAll() {
        List<RequestContext> all;
        synchronized (this) {
            all = new ArrayList<>(inFlight.values());
        }
        all.forEach(RequestContext::interrupt);
    }

    synchronized int inFlightCount() {
        return inFlight.size();
    }
}
