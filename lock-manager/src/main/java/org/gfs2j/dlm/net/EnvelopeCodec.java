package org.gfs2j.dlm.net;

import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.io.IOException;
import org.gfs2j.dlm.proto.Envelope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Protobuf {@link Envelope} to and from authenticated payloads. A payload that does not parse, or
 * an envelope whose sender is not the authenticated peer, closes the connection with a logged reason.
 */
public final class EnvelopeCodec extends ChannelDuplexHandler {
    private static final Logger LOG = LoggerFactory.getLogger(EnvelopeCodec.class);
    private int peerId;

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SecureFrameHandler.Authenticated a) {
            peerId = a.peerId();
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        Envelope env;
        try (ByteBufInputStream in = new ByteBufInputStream(buf, true)) {
            env = Envelope.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            LOG.warn("closing connection {} from node {}: malformed message: {}", ctx.channel().remoteAddress(), peerId, e.getMessage());
            ctx.close();
            return;
        } catch (IOException e) {
            ctx.close();
            return;
        }
        if (env.getFrom() != peerId) {
            LOG.warn("closing connection {}: node {} sent a message claiming to be from node {}",
                    ctx.channel().remoteAddress(), peerId, env.getFrom());
            ctx.close();
            return;
        }
        ctx.fireChannelRead(env);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof Envelope env) {
            ByteBuf out = ctx.alloc().buffer(env.getSerializedSize());
            try (ByteBufOutputStream os = new ByteBufOutputStream(out)) {
                env.writeTo(os);
            }
            ctx.write(out, promise);
        } else {
            ctx.write(msg, promise);
        }
    }
}
