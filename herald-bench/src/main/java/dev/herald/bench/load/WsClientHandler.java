package dev.herald.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One generator connection: a hand-written WebSocket client (upgrade, unmasked server frames in, masked frames out)
 * speaking just enough Centrifugo protocol v2 to connect, subscribe, answer pings and recognise publications. It
 * never builds frame objects or parses JSON: it scans the bytes, so that the generator can keep up with a server
 * that delivers hundreds of thousands of messages a second.
 */
final class WsClientHandler extends ByteToMessageDecoder {
    private static final byte[] HEADER_END = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STATUS_101 = "HTTP/1.1 101".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REPLY_PREFIX = "{\"id\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PUSH_PREFIX = "{\"push\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ERROR_FIELD = "\"error\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PUB_FIELD = "\"pub\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DISCONNECT_FIELD = "\"disconnect\":".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_HANDSHAKE = 16 * 1024;

    private enum State { HANDSHAKE, CONNECTING, SUBSCRIBING, READY, DONE }

    private final ConnectionEvents events;
    private final byte[] upgrade;
    private final byte[] connectCommand;
    private final List<String> channels;
    private final boolean protobuf;
    private final long startNanos;
    private State state = State.HANDSHAKE;
    private int pendingSubscribes;
    /** Where the last publication's {@code "pub":} and {@code "ts":} fields began in its message; -1: none yet. */
    private int pubOffset = -1;
    private int tsOffset = -1;

    WsClientHandler(ConnectionEvents events, byte[] upgrade, byte[] connectCommand, List<String> channels,
                    boolean protobuf, long startNanos) {
        this.events = events;
        this.upgrade = upgrade;
        this.connectCommand = connectCommand;
        this.channels = channels;
        this.protobuf = protobuf;
        this.startNanos = startNanos;
    }

    boolean ready() {
        return state == State.READY;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.writeAndFlush(Unpooled.wrappedBuffer(upgrade));
        super.channelActive(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (state == State.HANDSHAKE && !handshake(ctx, in)) {
            return;
        }
        long now = 0;
        while (state != State.DONE) {
            int start = in.readerIndex();
            int readable = in.readableBytes();
            if (readable < 2) {
                return;
            }
            int b0 = in.getUnsignedByte(start);
            int b1 = in.getUnsignedByte(start + 1);
            int len7 = b1 & 0x7F;
            int header = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((b1 & 0x80) != 0 ? 4 : 0);
            if (readable < header) {
                return;
            }
            long length = len7 == 126 ? in.getUnsignedShort(start + 2) : len7 == 127 ? in.getLong(start + 2) : len7;
            if ((b1 & 0x80) != 0 || length > Integer.MAX_VALUE - header) {
                fail(ctx, "bad frame from server");
                return;
            }
            if (readable < header + length) {
                return;
            }
            int from = start + header;
            int to = from + (int) length;
            in.readerIndex(to);
            int opcode = b0 & 0x0F;
            switch (opcode) {
                case Frames.OP_TEXT, Frames.OP_BINARY, Frames.OP_CONT -> {
                    if (now == 0) {
                        now = Payloads.nowMicros();
                    }
                    if (protobuf) {
                        protobufFrame(ctx, in, from, to, now);
                    } else {
                        jsonFrame(ctx, in, from, to, now);
                    }
                }
                case Frames.OP_CLOSE -> {
                    int code = to - from >= 2 ? in.getUnsignedShort(from) : 1005;
                    closed(ctx, "close " + code);
                    ctx.close();
                    return;
                }
                case Frames.OP_PING -> {
                    byte[] data = new byte[to - from];
                    in.getBytes(from, data);
                    ctx.writeAndFlush(Frames.clientFrame(ctx.alloc(), Frames.OP_PONG, data));
                }
                default -> {
                }
            }
        }
    }

    private boolean handshake(ChannelHandlerContext ctx, ByteBuf in) {
        int end = Payloads.indexOf(in, in.readerIndex(), in.writerIndex(), HEADER_END);
        if (end < 0) {
            if (in.readableBytes() > MAX_HANDSHAKE) {
                fail(ctx, "handshake too long");
            }
            return false;
        }
        if (!Payloads.matches(in, in.readerIndex(), STATUS_101)) {
            int lineEnd = Payloads.indexOf(in, in.readerIndex(), end + 2, "\r\n".getBytes(StandardCharsets.US_ASCII));
            fail(ctx, "handshake: " + in.toString(in.readerIndex(), lineEnd - in.readerIndex(),
                    StandardCharsets.US_ASCII));
            return false;
        }
        in.readerIndex(end + HEADER_END.length);
        state = State.CONNECTING;
        events.wsOpen();
        send(ctx, connectCommand);
        return true;
    }

    private void send(ChannelHandlerContext ctx, byte[] payload) {
        ctx.writeAndFlush(Frames.clientFrame(ctx.alloc(), protobuf ? Frames.OP_BINARY : Frames.OP_TEXT, payload));
    }

    // ---- JSON: newline-separated messages ----

    private void jsonFrame(ChannelHandlerContext ctx, ByteBuf in, int from, int to, long now) {
        int start = from;
        while (start < to) {
            int newline = in.indexOf(start, to, (byte) '\n');
            int end = newline < 0 ? to : newline;
            if (end > start && !knownPublication(in, start, end, now)) {
                jsonMessage(ctx, in, start, end, now);
            }
            start = end + 1;
        }
    }

    /**
     * A publication laid out like the previous one (a channel's pushes differ only from their data on): checks the
     * push prefix and the {@code "pub":} and {@code "ts":} fields at the offsets seen last, inside the message
     * {@code [start, end)}, so that it costs a few comparisons instead of a scan for the fields. Returns false when
     * the message is not laid out like that, and is to be scanned.
     */
    private boolean knownPublication(ByteBuf in, int start, int end, long now) {
        if (tsOffset < 0) {
            return false;
        }
        int ts = start + tsOffset;
        if (!Payloads.timestampAt(in, ts, end) || !Payloads.matches(in, start, PUSH_PREFIX)
                || !Payloads.matches(in, start + pubOffset, PUB_FIELD)) {
            return false;
        }
        long found = Payloads.valueAt(in, ts, end);
        if (found < 0) {
            return false;
        }
        events.delivery(now - (found >>> 1), (found & 1) == 1);
        return true;
    }

    private void jsonMessage(ChannelHandlerContext ctx, ByteBuf in, int from, int to, long now) {
        if (to - from == 2 && in.getByte(from) == '{' && in.getByte(from + 1) == '}') {
            ping(ctx);
            return;
        }
        if (to - from > PUSH_PREFIX.length && Payloads.matches(in, from, PUSH_PREFIX)) {
            int pub = Payloads.indexOf(in, from, to, PUB_FIELD);
            int ts = pub < 0 ? -1 : Payloads.timestampIndex(in, pub, to);
            long found = ts < 0 ? -1 : Payloads.valueAt(in, ts, to);
            if (found >= 0) {
                pubOffset = pub - from;
                tsOffset = ts - from;
                events.delivery(now - (found >>> 1), (found & 1) == 1);
            } else if (Payloads.indexOf(in, from, to, DISCONNECT_FIELD) >= 0) {
                events.otherPush("disconnect push");
            } else {
                events.otherPush("push");
            }
            return;
        }
        if (to - from > REPLY_PREFIX.length && Payloads.matches(in, from, REPLY_PREFIX)) {
            long id = 0;
            for (int i = from + REPLY_PREFIX.length; i < to; i++) {
                byte b = in.getByte(i);
                if (b < '0' || b > '9') {
                    break;
                }
                id = id * 10 + (b - '0');
            }
            boolean error = Payloads.indexOf(in, from, Math.min(to, from + 40), ERROR_FIELD) >= 0;
            reply(ctx, id, error, error ? in.toString(from, to - from, StandardCharsets.UTF_8) : null);
        }
    }

    // ---- protobuf: varint-delimited Reply messages (id = 1, error = 2, push = 4; Push.pub = 4) ----

    private void protobufFrame(ChannelHandlerContext ctx, ByteBuf in, int from, int to, long now) {
        int p = from;
        while (p < to) {
            long length = 0;
            int shift = 0;
            byte b;
            do {
                b = in.getByte(p++);
                length |= (long) (b & 0x7F) << shift;
                shift += 7;
            } while (b < 0 && p < to && shift < 64);
            int end = p + (int) length;
            if (length < 0 || end > to) {
                fail(ctx, "bad protobuf frame");
                return;
            }
            if (length == 0) {
                ping(ctx);
            } else {
                protobufReply(ctx, in, p, end, now);
            }
            p = end;
        }
    }

    private void protobufReply(ChannelHandlerContext ctx, ByteBuf in, int from, int to, long now) {
        long id = 0;
        boolean error = false;
        int pushFrom = -1;
        int pushTo = -1;
        int p = from;
        while (p < to) {
            long tag = 0;
            int shift = 0;
            byte b;
            do {
                b = in.getByte(p++);
                tag |= (long) (b & 0x7F) << shift;
                shift += 7;
            } while (b < 0 && p < to);
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (wire == 0) {
                long v = 0;
                shift = 0;
                do {
                    b = in.getByte(p++);
                    v |= (long) (b & 0x7F) << shift;
                    shift += 7;
                } while (b < 0 && p < to);
                if (field == 1) {
                    id = v;
                }
            } else if (wire == 2) {
                long len = 0;
                shift = 0;
                do {
                    b = in.getByte(p++);
                    len |= (long) (b & 0x7F) << shift;
                    shift += 7;
                } while (b < 0 && p < to);
                if (field == 2) {
                    error = true;
                } else if (field == 4) {
                    pushFrom = p;
                    pushTo = (int) (p + len);
                }
                p += (int) len;
            } else if (wire == 1) {
                p += 8;
            } else if (wire == 5) {
                p += 4;
            } else {
                fail(ctx, "bad protobuf reply");
                return;
            }
        }
        if (pushFrom >= 0) {
            long found = Payloads.find(in, pushFrom, Math.min(pushTo, to));
            if (found >= 0) {
                events.delivery(now - (found >>> 1), (found & 1) == 1);
            } else {
                events.otherPush("push");
            }
            return;
        }
        if (id > 0) {
            reply(ctx, id, error, error ? "protobuf error reply" : null);
        }
    }

    // ---- protocol state ----

    private void ping(ChannelHandlerContext ctx) {
        events.ping();
        send(ctx, protobuf ? Frames.PROTO_PONG : Frames.JSON_PONG);
    }

    private void reply(ChannelHandlerContext ctx, long id, boolean error, String detail) {
        if (error) {
            fail(ctx, (id == 1 ? "connect error " : "subscribe error ") + detail);
            return;
        }
        if (state == State.CONNECTING && id == 1) {
            events.connected((System.nanoTime() - startNanos) / 1_000);
            if (channels.isEmpty()) {
                becomeReady();
            } else {
                state = State.SUBSCRIBING;
                pendingSubscribes = channels.size();
                send(ctx, Frames.subscribeCommands(protobuf, channels, 2));
            }
        } else if (state == State.SUBSCRIBING && id >= 2 && --pendingSubscribes == 0) {
            becomeReady();
        }
    }

    private void becomeReady() {
        state = State.READY;
        events.ready((System.nanoTime() - startNanos) / 1_000);
    }

    /** Called on the event loop when the connect phase of this connection took too long. */
    void timeout(io.netty.channel.Channel ch) {
        if (state != State.READY && state != State.DONE) {
            closed(null, "timeout in state " + state);
            ch.close();
        }
    }

    private void fail(ChannelHandlerContext ctx, String reason) {
        closed(ctx, reason);
        ctx.close();
    }

    /** Reports the end of this connection once: a failure before it was ready, a drop after. */
    private void closed(ChannelHandlerContext ctx, String reason) {
        State was = state;
        if (was == State.DONE) {
            return;
        }
        state = State.DONE;
        if (was == State.READY) {
            events.dropped(reason);
        } else {
            events.failed(reason);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closed(ctx, "connection closed");
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, cause.getClass().getSimpleName() + ": " + cause.getMessage());
    }
}
