package org.gfs2j.dlm.net;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import java.util.Set;

/** Builds the per-connection pipeline: length framing, authentication and MACs, envelope codec. */
public final class DlmPipeline {
    /** Largest frame accepted (a recovery message with many lock copies stays far below this). */
    public static final int MAX_FRAME = 16 << 20;

    private DlmPipeline() {
    }

    public static void configure(ChannelPipeline p, boolean client, int selfId, int expectedPeer, Set<Integer> knownNodes,
                                 ClusterKey key) {
        p.addLast("frameDecoder", new LengthFieldBasedFrameDecoder(MAX_FRAME, 0, 4, 0, 4));
        p.addLast("framePrepender", new LengthFieldPrepender(4));
        p.addLast("secure", new SecureFrameHandler(client, selfId, expectedPeer, knownNodes, key));
        p.addLast("envelope", new EnvelopeCodec());
    }
}
