package org.gfs2j.dlm.core;

import org.gfs2j.dlm.proto.Envelope;

/**
 * Where the core puts messages for other nodes. Must not call back into the core synchronously.
 * The core restores per-sender order itself (sequence numbers), so an implementation may delay
 * or reorder, but must not lose messages between live members.
 */
public interface Transport {
    void send(Envelope envelope);
}
