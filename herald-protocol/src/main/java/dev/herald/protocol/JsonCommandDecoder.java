package dev.herald.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads Centrifugo JSON commands with Jackson's streaming parser, following Go's decoding rules: a {@code null}
 * value means the field is absent, unknown fields are skipped, types must match exactly (a quoted number is not a
 * number), unsigned fields reject negatives. {@code bytes} fields keep the exact bytes of the JSON value as sent.
 *
 * <p>Absent strings decode as {@code ""}, absent maps as empty maps, absent bytes and messages as {@code null}.
 */
final class JsonCommandDecoder implements AutoCloseable {
    private static final JsonFactory FACTORY = JsonFactory.builder().build();
    private static final BigInteger MAX_UINT64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    /**
     * Request fields in Command field-number order. The lowest-numbered request present wins, as in Centrifuge
     * (whatever the order in the JSON text); a repeated key keeps its last value, as in Go.
     */
    private static final List<String> REQUEST_FIELDS = List.of("connect", "subscribe", "unsubscribe", "publish",
            "presence", "presence_stats", "history", "ping", "send", "rpc", "refresh", "sub_refresh");

    private final byte[] input;
    /** Where the parser's input starts: its byte offsets count from here. */
    private final int base;
    private final JsonParser parser;

    private JsonCommandDecoder(byte[] input, int offset, int length) throws IOException {
        this.input = input;
        this.base = offset;
        this.parser = FACTORY.createParser(input, offset, length);
    }

    /** Decodes newline-delimited commands; blank lines (and a blank frame) are skipped. */
    static List<Command> decodeCommands(byte[] frame) throws ProtocolException {
        List<Command> commands = new ArrayList<>(1);
        int lineStart = 0;
        while (lineStart <= frame.length) {
            int newline = indexOf(frame, (byte) '\n', lineStart);
            int lineEnd = newline < 0 ? frame.length : newline;
            int start = lineStart;
            int end = lineEnd;
            while (start < end && isWhitespace(frame[start])) {
                start++;
            }
            while (end > start && isWhitespace(frame[end - 1])) {
                end--;
            }
            if (start < end) {
                commands.add(decodeCommand(frame, start, end - start));
            }
            if (newline < 0) {
                break;
            }
            lineStart = newline + 1;
        }
        return commands;
    }

    /** A bare ConnectRequest object; an empty body or {@code null} is an empty request. */
    static Request.Connect decodeConnectRequest(byte[] body) throws ProtocolException {
        int start = 0;
        int end = body == null ? 0 : body.length;
        while (start < end && isWhitespace(body[start])) {
            start++;
        }
        if (start == end) {
            return emptyConnect();
        }
        try (JsonCommandDecoder d = new JsonCommandDecoder(body, start, end - start)) {
            JsonToken first = d.parser.nextToken();
            Request.Connect request;
            if (first == JsonToken.VALUE_NULL) {
                request = emptyConnect();
            } else if (first == JsonToken.START_OBJECT) {
                request = d.connect();
            } else {
                throw new ProtocolException("connect request must be a JSON object");
            }
            d.expectEnd();
            return request;
        } catch (IOException | RuntimeException e) {
            throw malformed(e);
        }
    }

    private static Command decodeCommand(byte[] frame, int offset, int length) throws ProtocolException {
        try (JsonCommandDecoder d = new JsonCommandDecoder(frame, offset, length)) {
            if (d.parser.nextToken() != JsonToken.START_OBJECT) {
                throw new ProtocolException("command must be a JSON object");
            }
            Command command = d.command();
            d.expectEnd();
            return command;
        } catch (IOException | RuntimeException e) {
            throw malformed(e);
        }
    }

    private static ProtocolException malformed(Exception e) {
        String detail = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.toString();
        return new ProtocolException("malformed JSON: " + detail, e);
    }

    @Override
    public void close() throws IOException {
        parser.close();
    }

    private Command command() throws IOException, ProtocolException {
        long id = 0;
        Request request = null;
        int rank = Integer.MAX_VALUE;
        for (String field; (field = nextField()) != null; ) {
            if (field.equals("id")) {
                id = uint32(field);
                continue;
            }
            int fieldRank = REQUEST_FIELDS.indexOf(field);
            if (fieldRank < 0) {
                parser.skipChildren();
                continue;
            }
            Request r = request(field);
            if (fieldRank <= rank) {
                rank = fieldRank;
                request = r;
            }
        }
        return request == null && id == 0 ? Command.EMPTY : new Command(id, request);
    }

    private Request request(String field) throws IOException, ProtocolException {
        expectObject(field);
        return switch (field) {
            case "connect" -> connect();
            case "subscribe" -> subscribe();
            case "unsubscribe" -> new Request.Unsubscribe(channelOnly());
            case "publish" -> publish();
            case "presence" -> new Request.Presence(channelOnly());
            case "presence_stats" -> new Request.PresenceStats(channelOnly());
            case "history" -> history();
            case "ping" -> {
                parser.skipChildren();
                yield new Request.Ping();
            }
            case "send" -> new Request.Send(dataOnly());
            case "rpc" -> rpc();
            case "refresh" -> new Request.Refresh(tokenOnly());
            case "sub_refresh" -> subRefresh();
            default -> throw new IllegalStateException("unhandled request field " + field);
        };
    }

    private Request.Connect connect() throws IOException, ProtocolException {
        String token = "";
        byte[] data = null;
        Map<String, Request.Subscribe> subs = Map.of();
        String name = "";
        String version = "";
        Map<String, String> headers = Map.of();
        for (String field; (field = nextField()) != null; ) {
            switch (field) {
                case "token" -> token = string(field);
                case "data" -> data = raw();
                case "subs" -> subs = connectSubs();
                case "name" -> name = string(field);
                case "version" -> version = string(field);
                case "headers" -> headers = headers();
                default -> parser.skipChildren();
            }
        }
        return new Request.Connect(token, data, subs, name, version, headers);
    }

    private Map<String, Request.Subscribe> connectSubs() throws IOException, ProtocolException {
        expectObject("subs");
        Map<String, Request.Subscribe> subs = new LinkedHashMap<>();
        for (String channel; (channel = nextField()) != null; ) {
            expectObject("subs." + channel);
            subs.put(channel, subscribe());
        }
        return Collections.unmodifiableMap(subs);
    }

    private Map<String, String> headers() throws IOException, ProtocolException {
        expectObject("headers");
        Map<String, String> headers = new LinkedHashMap<>();
        for (String name; (name = nextField()) != null; ) {
            headers.put(name, string("headers." + name));
        }
        return Collections.unmodifiableMap(headers);
    }

    private Request.Subscribe subscribe() throws IOException, ProtocolException {
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
        for (String field; (field = nextField()) != null; ) {
            switch (field) {
                case "channel" -> channel = string(field);
                case "token" -> token = string(field);
                case "recover" -> recover = bool(field);
                case "epoch" -> epoch = string(field);
                case "offset" -> offset = uint64(field);
                case "data" -> data = raw();
                case "positioned" -> positioned = bool(field);
                case "recoverable" -> recoverable = bool(field);
                case "join_leave" -> joinLeave = bool(field);
                case "delta" -> delta = string(field);
                default -> parser.skipChildren();
            }
        }
        return new Request.Subscribe(channel, token, recover, epoch, offset, data, positioned, recoverable,
                joinLeave, delta);
    }

    private Request.Publish publish() throws IOException, ProtocolException {
        String channel = "";
        byte[] data = null;
        for (String field; (field = nextField()) != null; ) {
            switch (field) {
                case "channel" -> channel = string(field);
                case "data" -> data = raw();
                default -> parser.skipChildren();
            }
        }
        return new Request.Publish(channel, data);
    }

    private Request.History history() throws IOException, ProtocolException {
        String channel = "";
        int limit = 0;
        StreamPosition since = null;
        boolean reverse = false;
        for (String field; (field = nextField()) != null; ) {
            switch (field) {
                case "channel" -> channel = string(field);
                case "limit" -> limit = int32(field);
                case "since" -> since = streamPosition();
                case "reverse" -> reverse = bool(field);
                default -> parser.skipChildren();
            }
        }
        return new Request.History(channel, limit, since, reverse);
    }

    private StreamPosition streamPosition() throws IOException, ProtocolException {
        expectObject("since");
        long offset = 0;
        String epoch = "";
        for (String field; (field = nextField()) != null; ) {
            switch (field) {
                case "offset" -> offset = uint64(field);
                case "epoch" -> epoch = string(field);
                default -> parser.skipChildren();
            }
        }
        return new StreamPosition(offset, epoch);
    }

    private Request.Rpc rpc() throws IOException, ProtocolException {
        String method = "";
        byte[] data = null;
        for (String field; (field = nextField()) != null; ) {
            switch (field) {
                case "method" -> method = string(field);
                case "data" -> data = raw();
                default -> parser.skipChildren();
            }
        }
        return new Request.Rpc(method, data);
    }

    private Request.SubRefresh subRefresh() throws IOException, ProtocolException {
        String channel = "";
        String token = "";
        for (String field; (field = nextField()) != null; ) {
            switch (field) {
                case "channel" -> channel = string(field);
                case "token" -> token = string(field);
                default -> parser.skipChildren();
            }
        }
        return new Request.SubRefresh(channel, token);
    }

    private String channelOnly() throws IOException, ProtocolException {
        return onlyString("channel");
    }

    private String tokenOnly() throws IOException, ProtocolException {
        return onlyString("token");
    }

    private String onlyString(String wanted) throws IOException, ProtocolException {
        String value = "";
        for (String field; (field = nextField()) != null; ) {
            if (field.equals(wanted)) {
                value = string(field);
            } else {
                parser.skipChildren();
            }
        }
        return value;
    }

    private byte[] dataOnly() throws IOException {
        byte[] data = null;
        for (String field; (field = nextField()) != null; ) {
            if (field.equals("data")) {
                data = raw();
            } else {
                parser.skipChildren();
            }
        }
        return data;
    }

    /**
     * Advances to the next field of the current object and onto its value, skipping fields whose value is
     * {@code null}; returns null at the end of the object.
     */
    private String nextField() throws IOException {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            if (parser.nextToken() != JsonToken.VALUE_NULL) {
                return name;
            }
        }
        return null;
    }

    /** The exact bytes of the current value, taken from the input by the parser's byte offsets. */
    private byte[] raw() throws IOException {
        long start = parser.currentTokenLocation().getByteOffset();
        JsonToken token = parser.currentToken();
        if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
            parser.skipChildren();
        } else if (token == JsonToken.VALUE_STRING) {
            parser.finishToken();
        }
        long end = parser.currentLocation().getByteOffset();
        return Arrays.copyOfRange(input, base + (int) start, base + (int) end);
    }

    private void expectObject(String field) throws ProtocolException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw new ProtocolException("field " + field + ": expected an object");
        }
    }

    private void expectEnd() throws IOException, ProtocolException {
        if (parser.nextToken() != null) {
            throw new ProtocolException("unexpected data after the JSON object");
        }
    }

    private String string(String field) throws IOException, ProtocolException {
        if (parser.currentToken() != JsonToken.VALUE_STRING) {
            throw new ProtocolException("field " + field + ": expected a string");
        }
        return parser.getText();
    }

    private boolean bool(String field) throws ProtocolException {
        JsonToken t = parser.currentToken();
        if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
            throw new ProtocolException("field " + field + ": expected a boolean");
        }
        return t == JsonToken.VALUE_TRUE;
    }

    private long uint32(String field) throws IOException, ProtocolException {
        return integer(field, 0, 0xFFFF_FFFFL);
    }

    private int int32(String field) throws IOException, ProtocolException {
        return (int) integer(field, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    private long integer(String field, long min, long max) throws IOException, ProtocolException {
        if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            throw new ProtocolException("field " + field + ": expected an integer");
        }
        JsonParser.NumberType type = parser.getNumberType();
        if (type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG) {
            long v = parser.getLongValue();
            if (v >= min && v <= max) {
                return v;
            }
        }
        throw new ProtocolException("field " + field + ": integer out of range");
    }

    /** A Go uint64 in a Java long: values above Long.MAX_VALUE wrap to negatives, as unsigned longs do. */
    private long uint64(String field) throws IOException, ProtocolException {
        if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            throw new ProtocolException("field " + field + ": expected an integer");
        }
        JsonParser.NumberType type = parser.getNumberType();
        if (type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG) {
            long v = parser.getLongValue();
            if (v >= 0) {
                return v;
            }
        } else {
            BigInteger v = parser.getBigIntegerValue();
            if (v.signum() >= 0 && v.compareTo(MAX_UINT64) <= 0) {
                return v.longValue();
            }
        }
        throw new ProtocolException("field " + field + ": integer out of range");
    }

    private static Request.Connect emptyConnect() {
        return new Request.Connect("", null, Map.of(), "", "", Map.of());
    }

    private static int indexOf(byte[] a, byte b, int from) {
        for (int i = from; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }
}
