package dev.herald.server.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;

/**
 * Reads the client-to-server side of RFC 6455 incrementally: frames may arrive split across reads or many to a
 * read. Data messages are reassembled from their fragments and handed over unmasked, as one array; pings, pongs
 * and the close frame are reported separately (control frames may come between fragments). No extension is ever
 * negotiated, so RSV bits, unknown opcodes, unmasked frames, oversized control frames and misplaced continuations
 * are protocol errors (1002), an invalid UTF-8 text message or close reason is 1007, and a message larger than
 * the limit is 1009, detected from the frame header before its payload is buffered.
 *
 * <p>While idle the reader holds nothing: bytes are kept only while a frame is incomplete or a message is
 * fragmented. Not thread-safe: one connection's event loop.
 */
final class WebSocketFrameReader {
    static final int PROTOCOL_ERROR = 1002;
    static final int INVALID_PAYLOAD = 1007;
    static final int MESSAGE_TOO_BIG = 1009;
    /** Close frame without a status code (RFC 6455 7.4.1); never sent on the wire. */
    static final int NO_STATUS = 1005;

    private static final int OP_CONTINUATION = 0x0;
    private static final int OP_TEXT = 0x1;
    private static final int OP_BINARY = 0x2;
    private static final int OP_CLOSE = 0x8;
    private static final int OP_PING = 0x9;
    private static final int OP_PONG = 0xA;

    /** What the reader found. Each call runs on the reading thread, in wire order. */
    interface Listener {
        /** A whole data message, unmasked. */
        void onMessage(boolean text, byte[] payload);

        void onPing(byte[] payload);

        /** The peer's close frame: its status code ({@link #NO_STATUS} if none) and reason. */
        void onClose(int code, String reason);

        /** The peer broke the protocol: close with this code; nothing more will be read. */
        void onError(int code, String reason);
    }

    private final int maxMessageBytes;
    /** Bytes of a frame that has not fully arrived; null otherwise. */
    private ByteBuf partial;
    /** Fragments of a data message so far (null when no fragmented message is open). */
    private byte[] fragments;
    private int fragmentsLength;
    private boolean fragmentedText;
    private boolean done;

    WebSocketFrameReader(int maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    /** Consumes and releases {@code in}, reporting every complete frame to {@code listener}. */
    void read(ByteBuf in, ByteBufAllocator alloc, Listener listener) {
        if (done) {
            in.release();
            return;
        }
        ByteBuf buf = in;
        if (partial != null) {
            partial.writeBytes(in);
            in.release();
            buf = partial;
        }
        try {
            while (!done && buf.isReadable() && readFrame(buf, listener)) {
                // one frame per iteration
            }
        } finally {
            if (done || !buf.isReadable()) {
                buf.release();
                partial = null;
            } else if (buf == in) {
                partial = alloc.heapBuffer(Math.max(buf.readableBytes(), 256));
                partial.writeBytes(buf);
                buf.release();
            } else {
                partial.discardReadBytes();
            }
        }
    }

    /** Releases what an unfinished frame or message holds; the connection is gone. */
    void release() {
        done = true;
        fragments = null;
        if (partial != null) {
            partial.release();
            partial = null;
        }
    }

    /** Reads one frame if all of it is there (true); false leaves the reader index for the next read. */
    private boolean readFrame(ByteBuf buf, Listener listener) {
        int start = buf.readerIndex();
        int available = buf.readableBytes();
        if (available < 2) {
            return false;
        }
        int b0 = buf.getUnsignedByte(start);
        int b1 = buf.getUnsignedByte(start + 1);
        boolean fin = (b0 & 0x80) != 0;
        int opcode = b0 & 0x0F;
        if ((b0 & 0x70) != 0) {
            return fail(listener, PROTOCOL_ERROR, "reserved bits set");
        }
        if ((b1 & 0x80) == 0) {
            return fail(listener, PROTOCOL_ERROR, "client frame not masked");
        }
        boolean control = opcode >= OP_CLOSE;
        if (control ? opcode > OP_PONG : opcode > OP_BINARY) {
            return fail(listener, PROTOCOL_ERROR, "unknown opcode " + opcode);
        }
        int length7 = b1 & 0x7F;
        if (control && (!fin || length7 > 125)) {
            return fail(listener, PROTOCOL_ERROR, "fragmented or oversized control frame");
        }
        int lengthEnd = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0);
        if (available < lengthEnd) {
            return false;
        }
        int header = lengthEnd + 4;
        long length = length7 == 126 ? buf.getUnsignedShort(start + 2)
                : length7 == 127 ? buf.getLong(start + 2) : length7;
        if (length < 0) {
            return fail(listener, PROTOCOL_ERROR, "frame length out of range");
        }
        if (!control) {
            if (opcode == OP_CONTINUATION ? fragments == null : fragments != null) {
                return fail(listener, PROTOCOL_ERROR, opcode == OP_CONTINUATION
                        ? "continuation without a message" : "new message inside a fragmented one");
            }
            if (length + fragmentsLength > maxMessageBytes) {
                return fail(listener, MESSAGE_TOO_BIG, "message too big");
            }
        }
        if (available < header || available - header < length) {
            return false;
        }
        int mask = buf.getInt(start + header - 4);
        byte[] payload = new byte[(int) length];
        buf.getBytes(start + header, payload);
        unmask(payload, mask);
        buf.readerIndex(start + header + (int) length);
        return switch (opcode) {
            case OP_PING -> {
                listener.onPing(payload);
                yield true;
            }
            case OP_PONG -> true;
            case OP_CLOSE -> close(payload, listener);
            default -> data(opcode, fin, payload, listener);
        };
    }

    private boolean data(int opcode, boolean fin, byte[] payload, Listener listener) {
        if (opcode != OP_CONTINUATION && fin) {
            return message(opcode == OP_TEXT, payload, listener);
        }
        if (opcode != OP_CONTINUATION) {
            fragmentedText = opcode == OP_TEXT;
            fragments = payload.length == 0 ? new byte[64] : payload;
            fragmentsLength = payload.length;
            return true;
        }
        if (fragments.length - fragmentsLength < payload.length) {
            fragments = java.util.Arrays.copyOf(fragments,
                    Math.max(fragmentsLength + payload.length, fragments.length * 2));
        }
        System.arraycopy(payload, 0, fragments, fragmentsLength, payload.length);
        fragmentsLength += payload.length;
        if (!fin) {
            return true;
        }
        byte[] whole = fragmentsLength == fragments.length ? fragments
                : java.util.Arrays.copyOf(fragments, fragmentsLength);
        fragments = null;
        fragmentsLength = 0;
        return message(fragmentedText, whole, listener);
    }

    private boolean message(boolean text, byte[] payload, Listener listener) {
        if (text && !Utf8.isValid(payload, 0, payload.length)) {
            return fail(listener, INVALID_PAYLOAD, "invalid UTF-8 in a text message");
        }
        listener.onMessage(text, payload);
        return true;
    }

    private boolean close(byte[] payload, Listener listener) {
        done = true;
        if (payload.length == 0) {
            listener.onClose(NO_STATUS, "");
            return false;
        }
        if (payload.length == 1) {
            return fail(listener, PROTOCOL_ERROR, "close frame with a one-byte payload");
        }
        int code = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        if (!validCloseCode(code)) {
            return fail(listener, PROTOCOL_ERROR, "invalid close code " + code);
        }
        if (!Utf8.isValid(payload, 2, payload.length - 2)) {
            return fail(listener, INVALID_PAYLOAD, "invalid UTF-8 in the close reason");
        }
        listener.onClose(code, new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8));
        return false;
    }

    /** Codes a peer may send (RFC 6455 7.4): the defined ones except the never-sent 1004-1006 and 1015. */
    static boolean validCloseCode(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }

    private boolean fail(Listener listener, int code, String reason) {
        done = true;
        fragments = null;
        listener.onError(code, reason);
        return false;
    }

    private static void unmask(byte[] payload, int mask) {
        int n = payload.length;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            int word = ((payload[i] & 0xFF) << 24) | ((payload[i + 1] & 0xFF) << 16)
                    | ((payload[i + 2] & 0xFF) << 8) | (payload[i + 3] & 0xFF);
            word ^= mask;
            payload[i] = (byte) (word >>> 24);
            payload[i + 1] = (byte) (word >>> 16);
            payload[i + 2] = (byte) (word >>> 8);
            payload[i + 3] = (byte) word;
        }
        for (; i < n; i++) {
            payload[i] ^= (byte) (mask >>> (24 - 8 * (i & 3)));
        }
    }

    /** Strict UTF-8 validation (RFC 3629): no overlong forms, surrogates or code points past U+10FFFF. */
    static final class Utf8 {
        private Utf8() {
        }

        static boolean isValid(byte[] b, int off, int len) {
            int i = off;
            int end = off + len;
            while (i < end) {
                int c = b[i];
                if (c >= 0) {
                    i++;
                    continue;
                }
                c &= 0xFF;
                if (c < 0xC2) {
                    return false;
                }
                if (c < 0xE0) {
                    if (i + 1 >= end || !cont(b[i + 1])) {
                        return false;
                    }
                    i += 2;
                } else if (c < 0xF0) {
                    if (i + 2 >= end || !cont(b[i + 1]) || !cont(b[i + 2])) {
                        return false;
                    }
                    int c1 = b[i + 1] & 0xFF;
                    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F)) {
                        return false;
                    }
                    i += 3;
                } else if (c < 0xF5) {
                    if (i + 3 >= end || !cont(b[i + 1]) || !cont(b[i + 2]) || !cont(b[i + 3])) {
                        return false;
                    }
                    int c1 = b[i + 1] & 0xFF;
                    if ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 > 0x8F)) {
                        return false;
                    }
                    i += 4;
                } else {
                    return false;
                }
            }
            return true;
        }

        private static boolean cont(byte b) {
            return (b & 0xC0) == 0x80;
        }
    }
}
