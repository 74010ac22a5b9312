package dev.herald.protocol;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads protobuf commands with the field numbers of centrifugal/protocol {@code definitions/client.proto}.
 * Unknown fields are skipped; a known field with the wrong wire type, a length beyond the bytes left, or any
 * other damage is a {@link ProtocolException}. Absent strings decode as {@code ""}, absent maps as empty maps,
 * absent bytes and messages as {@code null}.
 */
final class ProtobufCommandDecoder {
    private static final int VARINT = WireFormat.WIRETYPE_VARINT;
    private static final int LEN = WireFormat.WIRETYPE_LENGTH_DELIMITED;
    private static final Request.Subscribe EMPTY_SUBSCRIBE =
            new Request.Subscribe("", "", false, "", 0, null, false, false, false, "");

    private ProtobufCommandDecoder() {
    }

    @FunctionalInterface
    private interface Reader<T> {
        T read(CodedInputStream in) throws IOException, ProtocolException;
    }

    /** Decodes consecutive varint-length-prefixed commands; an empty frame holds none. */
    static List<Command> decodeCommands(byte[] frame) throws ProtocolException {
        List<Command> commands = new ArrayList<>(1);
        try {
            CodedInputStream in = CodedInputStream.newInstance(frame);
            while (!in.isAtEnd()) {
                long length = in.readRawVarint64();
                int remaining = frame.length - in.getTotalBytesRead();
                if (length < 0 || length > remaining) {
                    throw new ProtocolException("command length " + Long.toUnsignedString(length)
                            + " exceeds the " + remaining + " bytes left in the frame");
                }
                int outer = in.pushLimit((int) length);
                commands.add(command(in));
                in.popLimit(outer);
            }
            return commands;
        } catch (IOException | RuntimeException e) {
            throw malformed(e);
        }
    }

    /** A bare (not length-prefixed) ConnectRequest message; empty input is an empty request. */
    static Request.Connect decodeConnectRequest(byte[] body) throws ProtocolException {
        try {
            return connect(CodedInputStream.newInstance(body == null ? new byte[0] : body));
        } catch (IOException | RuntimeException e) {
            throw malformed(e);
        }
    }

    private static ProtocolException malformed(Exception e) {
        return new ProtocolException("malformed protobuf: " + e.getMessage(), e);
    }

    /** Command: id = 1, then request fields 4..15; the lowest-numbered request present wins. */
    private static Command command(CodedInputStream in) throws IOException, ProtocolException {
        long id = 0;
        Request request = null;
        int requestField = Integer.MAX_VALUE;
        for (int tag; (tag = in.readTag()) != 0; ) {
            int field = WireFormat.getTagFieldNumber(tag);
            if (field == 1) {
                expect(tag, VARINT);
                id = Integer.toUnsignedLong(in.readUInt32());
                continue;
            }
            Reader<? extends Request> reader = requestReader(field);
            if (reader == null) {
                skip(in, tag);
                continue;
            }
            expect(tag, LEN);
            Request r = message(in, reader);
            if (field <= requestField) {
                requestField = field;
                request = r;
            }
        }
        return request == null && id == 0 ? Command.EMPTY : new Command(id, request);
    }

    private static Reader<? extends Request> requestReader(int field) {
        return switch (field) {
            case 4 -> ProtobufCommandDecoder::connect;
            case 5 -> ProtobufCommandDecoder::subscribe;
            case 6 -> in -> new Request.Unsubscribe(stringField(in, 1));
            case 7 -> ProtobufCommandDecoder::publish;
            case 8 -> in -> new Request.Presence(stringField(in, 1));
            case 9 -> in -> new Request.PresenceStats(stringField(in, 1));
            case 10 -> ProtobufCommandDecoder::history;
            case 11 -> in -> {
                skipAll(in);
                return new Request.Ping();
            };
            case 12 -> in -> new Request.Send(bytesField(in, 1));
            case 13 -> ProtobufCommandDecoder::rpc;
            case 14 -> in -> new Request.Refresh(stringField(in, 1));
            case 15 -> ProtobufCommandDecoder::subRefresh;
            default -> null;
        };
    }

    /** ConnectRequest: token = 1, data = 2, subs = 3, name = 4, version = 5, headers = 6. */
    private static Request.Connect connect(CodedInputStream in) throws IOException, ProtocolException {
        String token = "";
        byte[] data = null;
        Map<String, Request.Subscribe> subs = null;
        String name = "";
        String version = "";
        Map<String, String> headers = null;
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> token = string(in, tag);
                case 2 -> data = bytes(in, tag);
                case 3 -> {
                    expect(tag, LEN);
                    if (subs == null) {
                        subs = new LinkedHashMap<>();
                    }
                    Map<String, Request.Subscribe> target = subs;
                    message(in, entry -> subsEntry(entry, target));
                }
                case 4 -> name = string(in, tag);
                case 5 -> version = string(in, tag);
                case 6 -> {
                    expect(tag, LEN);
                    if (headers == null) {
                        headers = new LinkedHashMap<>();
                    }
                    Map<String, String> target = headers;
                    message(in, entry -> headersEntry(entry, target));
                }
                default -> skip(in, tag);
            }
        }
        return new Request.Connect(token, data, frozen(subs), name, version, frozen(headers));
    }

    /** A {@code map<string, SubscribeRequest>} entry: key = 1, value = 2. */
    private static Void subsEntry(CodedInputStream in, Map<String, Request.Subscribe> target)
            throws IOException, ProtocolException {
        String key = "";
        Request.Subscribe value = null;
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> key = string(in, tag);
                case 2 -> {
                    expect(tag, LEN);
                    value = message(in, ProtobufCommandDecoder::subscribe);
                }
                default -> skip(in, tag);
            }
        }
        target.put(key, value != null ? value : EMPTY_SUBSCRIBE);
        return null;
    }

    /** A {@code map<string, string>} entry: key = 1, value = 2. */
    private static Void headersEntry(CodedInputStream in, Map<String, String> target)
            throws IOException, ProtocolException {
        String key = "";
        String value = "";
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> key = string(in, tag);
                case 2 -> value = string(in, tag);
                default -> skip(in, tag);
            }
        }
        target.put(key, value);
        return null;
    }

    /**
     * SubscribeRequest: channel = 1, token = 2, recover = 3, epoch = 6, offset = 7, data = 8, positioned = 9,
     * recoverable = 10, join_leave = 11, delta = 12.
     */
    private static Request.Subscribe subscribe(CodedInputStream in) throws IOException, ProtocolException {
        String channel = "";
        String token = "";
        boolean recover = false;
        String epoch = "";
        long offset = 0;
        byte[] data = null;
        boolean positioned = false;
        boolean recoverable = false;
        boolean joinLeave = false;
        String delta = "";
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> channel = string(in, tag);
                case 2 -> token = string(in, tag);
                case 3 -> recover = bool(in, tag);
                case 6 -> epoch = string(in, tag);
                case 7 -> offset = uint64(in, tag);
                case 8 -> data = bytes(in, tag);
                case 9 -> positioned = bool(in, tag);
                case 10 -> recoverable = bool(in, tag);
                case 11 -> joinLeave = bool(in, tag);
                case 12 -> delta = string(in, tag);
                default -> skip(in, tag);
            }
        }
        return new Request.Subscribe(channel, token, recover, epoch, offset, data, positioned, recoverable,
                joinLeave, delta);
    }

    /** PublishRequest: channel = 1, data = 2. */
    private static Request.Publish publish(CodedInputStream in) throws IOException, ProtocolException {
        String channel = "";
        byte[] data = null;
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> channel = string(in, tag);
                case 2 -> data = bytes(in, tag);
                default -> skip(in, tag);
            }
        }
        return new Request.Publish(channel, data);
    }

    /** HistoryRequest: channel = 1, limit = 7, since = 8 (StreamPosition: offset = 1, epoch = 2), reverse = 9. */
    private static Request.History history(CodedInputStream in) throws IOException, ProtocolException {
        String channel = "";
        int limit = 0;
        StreamPosition since = null;
        boolean reverse = false;
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> channel = string(in, tag);
                case 7 -> {
                    expect(tag, VARINT);
                    limit = in.readInt32();
                }
                case 8 -> {
                    expect(tag, LEN);
                    since = message(in, ProtobufCommandDecoder::streamPosition);
                }
                case 9 -> reverse = bool(in, tag);
                default -> skip(in, tag);
            }
        }
        return new Request.History(channel, limit, since, reverse);
    }

    private static StreamPosition streamPosition(CodedInputStream in) throws IOException, ProtocolException {
        long offset = 0;
        String epoch = "";
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> offset = uint64(in, tag);
                case 2 -> epoch = string(in, tag);
                default -> skip(in, tag);
            }
        }
        return new StreamPosition(offset, epoch);
    }

    /** RPCRequest: data = 1, method = 2. */
    private static Request.Rpc rpc(CodedInputStream in) throws IOException, ProtocolException {
        byte[] data = null;
        String method = "";
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> data = bytes(in, tag);
                case 2 -> method = string(in, tag);
                default -> skip(in, tag);
            }
        }
        return new Request.Rpc(method, data);
    }

    /** SubRefreshRequest: channel = 1, token = 2. */
    private static Request.SubRefresh subRefresh(CodedInputStream in) throws IOException, ProtocolException {
        String channel = "";
        String token = "";
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> channel = string(in, tag);
                case 2 -> token = string(in, tag);
                default -> skip(in, tag);
            }
        }
        return new Request.SubRefresh(channel, token);
    }

    private static String stringField(CodedInputStream in, int wanted) throws IOException, ProtocolException {
        String value = "";
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (WireFormat.getTagFieldNumber(tag) == wanted) {
                value = string(in, tag);
            } else {
                skip(in, tag);
            }
        }
        return value;
    }

    private static byte[] bytesField(CodedInputStream in, int wanted) throws IOException, ProtocolException {
        byte[] value = null;
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (WireFormat.getTagFieldNumber(tag) == wanted) {
                value = bytes(in, tag);
            } else {
                skip(in, tag);
            }
        }
        return value;
    }

    private static void skipAll(CodedInputStream in) throws IOException, ProtocolException {
        for (int tag; (tag = in.readTag()) != 0; ) {
            skip(in, tag);
        }
    }

    /** Skips an unknown field; an end-group tag without its start is damage, not the end of the message. */
    private static void skip(CodedInputStream in, int tag) throws IOException, ProtocolException {
        if (!in.skipField(tag)) {
            throw new ProtocolException("unexpected end-group tag for field " + WireFormat.getTagFieldNumber(tag));
        }
    }

    /** Reads a length-delimited nested message, bounded by its length. */
    private static <T> T message(CodedInputStream in, Reader<T> reader) throws IOException, ProtocolException {
        int length = in.readRawVarint32();
        int outer = in.pushLimit(length);
        T value = reader.read(in);
        in.popLimit(outer);
        return value;
    }

    private static String string(CodedInputStream in, int tag) throws IOException, ProtocolException {
        expect(tag, LEN);
        return in.readString();
    }

    private static byte[] bytes(CodedInputStream in, int tag) throws IOException, ProtocolException {
        expect(tag, LEN);
        return in.readByteArray();
    }

    private static boolean bool(CodedInputStream in, int tag) throws IOException, ProtocolException {
        expect(tag, VARINT);
        return in.readBool();
    }

    private static long uint64(CodedInputStream in, int tag) throws IOException, ProtocolException {
        expect(tag, VARINT);
        return in.readUInt64();
    }

    private static void expect(int tag, int wireType) throws ProtocolException {
        if (WireFormat.getTagWireType(tag) != wireType) {
            throw new ProtocolException("field " + WireFormat.getTagFieldNumber(tag) + " has wire type "
                    + WireFormat.getTagWireType(tag) + ", expected " + wireType);
        }
    }

    private static <K, V> Map<K, V> frozen(Map<K, V> map) {
        return map == null ? Map.of() : Collections.unmodifiableMap(map);
    }
}
