package dev.herald.server.transport;

import dev.herald.core.codes.Disconnect;
import dev.herald.protocol.Protocol;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

import java.nio.charset.StandardCharsets;

/**
 * WebSocket: one frame per element (text for JSON, binary for protobuf); disconnect = a close frame. Server frames
 * are unmasked, so framing is a header in front of the element's bytes. The frames of one flush are collected in
 * one buffer and handed to the socket as a single write: at a high publication rate a connection's pending frames
 * coalesce into one write(2) instead of one each. A flush of a single element (the common case at low rates) does
 * not copy it: it writes the event loop's shared framing of that element ({@link FrameCache}), framed once for all
 * the loop's subscribers. While idle the transport holds no buffer at all. Writes enter the pipeline at the
 * connection handler's context, which is the only handler, so they go straight to the socket.
 *
 * <p>Every {@link WebSocketEndpoint} gets one from {@link WebSocketUpgrade#transport}; its session writes through
 * it (as a core {@code Transport}) whatever protocol it speaks.
 */
public final class WebSocketTransport extends NettyTransport {
    private static final int OP_TEXT = 0x1;
    private static final int OP_BINARY = 0x2;
    private static final int OP_CLOSE = 0x8;
    private static final int OP_PONG = 0xA;
    /** Smallest batch buffer: one small frame, or a few, without growing. */
    private static final int MIN_BATCH_CAPACITY = 256;

    private final ChannelHandlerContext ctx;
    private final boolean unidirectional;
    private final int dataOpcode;
    /** The only element written since the last flush, not yet copied anywhere; null if none or several. */
    private byte[] single;
    /** Frames written since the last flush when there are several; null otherwise. */
    private ByteBuf batch;
    /**
     * Size of the last multi-frame flush: the next batch starts at that capacity, so that under a steady high rate
     * the batch buffer is allocated once per flush instead of growing (and being copied) while frames are appended.
     */
    private int lastBatchBytes;

    WebSocketTransport(ChannelHandlerContext ctx, Protocol protocol, boolean unidirectional, long maxQueuedBytes,
                       long closeTimeoutMillis) {
        super(ctx.channel(), ctx, protocol, maxQueuedBytes, closeTimeoutMillis);
        this.ctx = ctx;
        this.unidirectional = unidirectional;
        this.dataOpcode = protocol == Protocol.PROTOBUF ? OP_BINARY : OP_TEXT;
    }

    @Override
    public String name() {
        return unidirectional ? "uni_websocket" : "websocket";
    }

    @Override
    public boolean unidirectional() {
        return unidirectional;
    }

    @Override
    public boolean emulation() {
        return false;
    }

    @Override
    protected int append(byte[] element) {
        if (batch == null && single == null) {
            single = element;
            return headerLength(element.length) + element.length;
        }
        if (batch == null) {
            batch = ctx.alloc().directBuffer(Math.max(frameLength(single) + frameLength(element),
                    Math.max(lastBatchBytes, MIN_BATCH_CAPACITY)));
            writeFrame(batch, dataOpcode, single, 0, single.length);
            single = null;
        }
        writeFrame(batch, dataOpcode, element, 0, element.length);
        return batch.readableBytes();
    }

    @Override
    protected Object drain() {
        if (single != null) {
            byte[] element = single;
            single = null;
            return frame(element);
        }
        ByteBuf frames = batch;
        if (frames != null) {
            lastBatchBytes = frames.readableBytes();
            batch = null;
        }
        return frames;
    }

    @Override
    protected void discard() {
        single = null;
        if (batch != null) {
            batch.release();
            batch = null;
        }
    }

    /** One element as its own frame: the loop's shared framing (what a single-element flush writes). */
    @Override
    protected Object frame(byte[] element) {
        return FrameCache.frame(dataOpcode == OP_BINARY ? BINARY : TEXT, element, ctx.alloc());
    }

    private static int frameLength(byte[] element) {
        return headerLength(element.length) + element.length;
    }

    /** The shared per-loop framing of one element, for {@link FrameCache}. */
    private record Framer(int opcode) implements FrameCache.Framer {
        @Override
        public int length(byte[] element) {
            return frameLength(element);
        }

        @Override
        public void write(ByteBuf out, byte[] element) {
            writeFrame(out, opcode, element, 0, element.length);
        }
    }

    private static final Framer TEXT = new Framer(OP_TEXT);
    private static final Framer BINARY = new Framer(OP_BINARY);

    /** The connection handler's context, where the transport's writes enter the pipeline. */
    ChannelHandlerContext context() {
        return ctx;
    }

    /** A pong answering a ping, queued for the next flush. Event loop only. */
    void pong(byte[] payload) {
        if (isClosed()) {
            return;
        }
        ByteBuf frame = ctx.alloc().directBuffer(2 + payload.length);
        writeFrame(frame, OP_PONG, payload, 0, payload.length);
        ctx.write(frame, ctx.voidPromise());
    }

    @Override
    protected Object goodbye(Disconnect disconnect) {
        if (disconnect.code() == Disconnect.CONNECTION_CLOSED.code()) {
            return null;
        }
        return closeFrame(ctx, disconnect.code(), disconnect.reason());
    }

    /** A close frame with a status code and a reason cut to fit the 125-byte control frame limit. */
    static ByteBuf closeFrame(ChannelHandlerContext ctx, int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        int reasonLength = Math.min(text.length, 123);
        while (reasonLength < text.length && reasonLength > 0 && (text[reasonLength] & 0xC0) == 0x80) {
            reasonLength--; // do not cut a character in two
        }
        byte[] payload = new byte[2 + reasonLength];
        payload[0] = (byte) (code >>> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, reasonLength);
        ByteBuf frame = ctx.alloc().directBuffer(2 + payload.length);
        writeFrame(frame, OP_CLOSE, payload, 0, payload.length);
        return frame;
    }

    static int headerLength(int payloadLength) {
        return payloadLength < 126 ? 2 : payloadLength <= 0xFFFF ? 4 : 10;
    }

    /** FIN + opcode, the payload length in its shortest form, the payload; server frames are not masked. */
    static void writeFrame(ByteBuf out, int opcode, byte[] payload, int offset, int length) {
        int first = (0x80 | opcode) << 8;
        if (length < 126) {
            out.writeShort(first | length);
        } else if (length <= 0xFFFF) {
            out.writeShort(first | 126);
            out.writeShort(length);
        } else {
            out.writeShort(first | 127);
            out.writeLong(length);
        }
        out.writeBytes(payload, offset, length);
    }
}
