package dev.herald.engines;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.herald.protocol.ClientInfo;
import dev.herald.protocol.Publication;
import dev.herald.protocol.StreamPosition;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What engines store and send between nodes: publications and client infos in a protobuf wire format (field
 * numbers as Centrifugo's client protocol: Publication data 4, info 5, offset 6, tags 7, delta 8, time 9, channel
 * 10; ClientInfo user 1, client 2, conn_info 3, chan_info 4), and the broker message that wraps them.
 *
 * <p>A broker message is {@code <kind><offset>:<epoch>:<body>}: an ASCII header a Lua script can write after it
 * has assigned the offset (so the publication body is encoded once, in Java, and never re-encoded in Redis),
 * then the protobuf body. Kinds: {@code p} publication, {@code j} join, {@code l} leave. Offset 0 and an empty
 * epoch mean no history. Unknown protobuf fields are skipped, so a newer node's messages still decode.
 */
public final class EngineCodec {
    public static final byte PUBLICATION = 'p';
    public static final byte JOIN = 'j';
    public static final byte LEAVE = 'l';

    private static final int LEN = WireFormat.WIRETYPE_LENGTH_DELIMITED;

    private EngineCodec() {
    }

    /** A decoded broker message: a publication (with its position, or null) or a join/leave info. */
    public record Message(byte kind, Publication publication, StreamPosition position, ClientInfo info) {
    }

    /** A whole broker message for a publication or join/leave sent without history (offset 0, no epoch). */
    public static byte[] message(byte kind, byte[] body) {
        byte[] out = new byte[body.length + 4];
        out[0] = kind;
        out[1] = '0';
        out[2] = ':';
        out[3] = ':';
        System.arraycopy(body, 0, out, 4, body.length);
        return out;
    }

    /** A whole broker message carrying the position a stream gave the publication. */
    public static byte[] message(byte kind, StreamPosition position, byte[] body) {
        byte[] header = ((char) kind + Long.toString(position.offset()) + ':' + position.epoch() + ':')
                .getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[header.length + body.length];
        System.arraycopy(header, 0, out, 0, header.length);
        System.arraycopy(body, 0, out, header.length, body.length);
        return out;
    }

    public static Message decodeMessage(byte[] message) {
        if (message.length < 4) {
            throw new IllegalArgumentException("broker message too short");
        }
        byte kind = message[0];
        int colon1 = indexOf(message, 1);
        int colon2 = colon1 < 0 ? -1 : indexOf(message, colon1 + 1);
        if (colon2 < 0) {
            throw new IllegalArgumentException("broker message without header");
        }
        long offset = Long.parseLong(new String(message, 1, colon1 - 1, StandardCharsets.US_ASCII));
        String epoch = new String(message, colon1 + 1, colon2 - colon1 - 1, StandardCharsets.US_ASCII);
        int bodyStart = colon2 + 1;
        return switch (kind) {
            case PUBLICATION -> {
                Publication p = decodePublication(message, bodyStart, message.length - bodyStart);
                yield offset == 0 ? new Message(kind, p, null, null)
                        : new Message(kind, p.withOffset(offset), new StreamPosition(offset, epoch), null);
            }
            case JOIN, LEAVE -> new Message(kind, null, null,
                    decodeInfo(message, bodyStart, message.length - bodyStart));
            default -> throw new IllegalArgumentException("unknown broker message kind " + (char) kind);
        };
    }

    public static byte[] encodePublication(Publication p) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + (p.data() == null ? 0 : p.data().length));
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            if (p.data() != null && p.data().length > 0) {
                out.writeByteArray(4, p.data());
            }
            if (p.info() != null) {
                out.writeByteArray(5, encodeInfo(p.info()));
            }
            if (p.offset() != 0) {
                out.writeUInt64(6, p.offset());
            }
            if (p.tags() != null) {
                for (Map.Entry<String, String> e : p.tags().entrySet()) {
                    ByteArrayOutputStream entry = new ByteArrayOutputStream();
                    CodedOutputStream eo = CodedOutputStream.newInstance(entry);
                    eo.writeString(1, e.getKey());
                    eo.writeString(2, e.getValue());
                    eo.flush();
                    out.writeByteArray(7, entry.toByteArray());
                }
            }
            if (p.delta()) {
                out.writeBool(8, true);
            }
            if (p.time() != 0) {
                out.writeInt64(9, p.time());
            }
            if (p.channel() != null && !p.channel().isEmpty()) {
                out.writeString(10, p.channel());
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Publication decodePublication(byte[] bytes, int offset, int length) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes, offset, length);
            byte[] data = new byte[0];
            ClientInfo info = null;
            long pubOffset = 0;
            Map<String, String> tags = null;
            boolean delta = false;
            long time = 0;
            String channel = null;
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                switch (tag) {
                    case (4 << 3) | LEN -> data = in.readByteArray();
                    case (5 << 3) | LEN -> {
                        byte[] b = in.readByteArray();
                        info = decodeInfo(b, 0, b.length);
                    }
                    case 6 << 3 -> pubOffset = in.readUInt64();
                    case (7 << 3) | LEN -> {
                        if (tags == null) {
                            tags = new LinkedHashMap<>();
                        }
                        entry(in.readByteArray(), tags);
                    }
                    case 8 << 3 -> delta = in.readBool();
                    case 9 << 3 -> time = in.readInt64();
                    case (10 << 3) | LEN -> channel = in.readString();
                    default -> in.skipField(tag);
                }
            }
            return new Publication(data, info, pubOffset, tags, delta, time, channel);
        } catch (IOException e) {
            throw new IllegalArgumentException("bad publication: " + e.getMessage(), e);
        }
    }

    public static byte[] encodeInfo(ClientInfo info) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            out.writeString(1, info.user() == null ? "" : info.user());
            out.writeString(2, info.client() == null ? "" : info.client());
            if (info.connInfo() != null) {
                out.writeByteArray(3, info.connInfo());
            }
            if (info.chanInfo() != null) {
                out.writeByteArray(4, info.chanInfo());
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ClientInfo decodeInfo(byte[] bytes, int offset, int length) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes, offset, length);
            String user = "";
            String client = "";
            byte[] connInfo = null;
            byte[] chanInfo = null;
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                switch (tag) {
                    case (1 << 3) | LEN -> user = in.readString();
                    case (2 << 3) | LEN -> client = in.readString();
                    case (3 << 3) | LEN -> connInfo = in.readByteArray();
                    case (4 << 3) | LEN -> chanInfo = in.readByteArray();
                    default -> in.skipField(tag);
                }
            }
            return new ClientInfo(user, client, connInfo, chanInfo);
        } catch (IOException e) {
            throw new IllegalArgumentException("bad client info: " + e.getMessage(), e);
        }
    }

    private static void entry(byte[] bytes, Map<String, String> into) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        String key = "";
        String value = "";
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (tag) {
                case (1 << 3) | LEN -> key = in.readString();
                case (2 << 3) | LEN -> value = in.readString();
                default -> in.skipField(tag);
            }
        }
        into.put(key, value);
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == ':') {
                return i;
            }
        }
        return -1;
    }
}
