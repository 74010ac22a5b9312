package dev.herald.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The few client-to-server frames and Centrifugo commands the generator sends, written by hand so that the client
 * side costs as little CPU as possible: masked WebSocket frames, JSON commands, varint-delimited protobuf
 * commands (Command: id = 1, connect = 4, subscribe = 5; ConnectRequest: token = 1, name = 4; SubscribeRequest:
 * channel = 1).
 */
public final class Frames {
    static final int OP_CONT = 0x0;
    static final int OP_TEXT = 0x1;
    static final int OP_BINARY = 0x2;
    static final int OP_CLOSE = 0x8;
    static final int OP_PING = 0x9;
    static final int OP_PONG = 0xA;

    static final byte[] JSON_PONG = "{}".getBytes(StandardCharsets.US_ASCII);
    /** An empty protobuf Command, varint-delimited: its length, 0. */
    static final byte[] PROTO_PONG = {0};

    private Frames() {
    }

    /** The HTTP/1.1 upgrade request; the key is fixed (the generator does not check the accept hash). */
    static byte[] upgradeRequest(String host, int port, String path, boolean protobuf) {
        String request = "GET " + path + " HTTP/1.1\r\n"
                + "Host: " + host + ":" + port + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: aGVyYWxkLWJlbmNoLWtleQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + (protobuf ? "Sec-WebSocket-Protocol: centrifuge-protobuf\r\n" : "")
                + "\r\n";
        return request.getBytes(StandardCharsets.US_ASCII);
    }

    /** One masked client frame (RFC 6455 5.3: clients must mask). */
    static ByteBuf clientFrame(ByteBufAllocator alloc, int opcode, byte[] payload) {
        int len = payload.length;
        int header = 2 + (len < 126 ? 0 : len < 65_536 ? 2 : 8) + 4;
        ByteBuf buf = alloc.buffer(header + len);
        buf.writeByte(0x80 | opcode);
        if (len < 126) {
            buf.writeByte(0x80 | len);
        } else if (len < 65_536) {
            buf.writeByte(0x80 | 126);
            buf.writeShort(len);
        } else {
            buf.writeByte(0x80 | 127);
            buf.writeLong(len);
        }
        int mask = ThreadLocalRandom.current().nextInt();
        buf.writeInt(mask);
        for (int i = 0; i < len; i++) {
            buf.writeByte(payload[i] ^ (mask >>> (24 - 8 * (i & 3))));
        }
        return buf;
    }

    static byte[] connectCommand(boolean protobuf, String token) {
        if (!protobuf) {
            String json = token == null || token.isEmpty()
                    ? "{\"id\":1,\"connect\":{\"name\":\"herald-bench\"}}"
                    : "{\"id\":1,\"connect\":{\"token\":\"" + token + "\",\"name\":\"herald-bench\"}}";
            return json.getBytes(StandardCharsets.US_ASCII);
        }
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        if (token != null && !token.isEmpty()) {
            stringField(request, 1, token);
        }
        stringField(request, 4, "herald-bench");
        ByteArrayOutputStream command = new ByteArrayOutputStream();
        varintField(command, 1, 1);
        bytesField(command, 4, request.toByteArray());
        return delimited(command.toByteArray());
    }

    /** Subscribe commands with ids {@code firstId, firstId+1, ...}, all in one frame. */
    static byte[] subscribeCommands(boolean protobuf, List<String> channels, int firstId) {
        if (!protobuf) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < channels.size(); i++) {
                if (i > 0) {
                    sb.append('\n');
                }
                sb.append("{\"id\":").append(firstId + i).append(",\"subscribe\":{\"channel\":\"")
                        .append(channels.get(i)).append("\"}}");
            }
            return sb.toString().getBytes(StandardCharsets.UTF_8);
        }
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        for (int i = 0; i < channels.size(); i++) {
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            stringField(request, 1, channels.get(i));
            ByteArrayOutputStream command = new ByteArrayOutputStream();
            varintField(command, 1, firstId + i);
            bytesField(command, 5, request.toByteArray());
            frame.writeBytes(delimited(command.toByteArray()));
        }
        return frame.toByteArray();
    }

    private static byte[] delimited(byte[] message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(message.length + 5);
        varint(out, message.length);
        out.writeBytes(message);
        return out.toByteArray();
    }

    private static void stringField(ByteArrayOutputStream out, int field, String value) {
        bytesField(out, field, value.getBytes(StandardCharsets.UTF_8));
    }

    private static void bytesField(ByteArrayOutputStream out, int field, byte[] value) {
        varint(out, (field << 3) | 2);
        varint(out, value.length);
        out.writeBytes(value);
    }

    private static void varintField(ByteArrayOutputStream out, int field, long value) {
        varint(out, field << 3);
        varint(out, value);
    }

    private static void varint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }
}
