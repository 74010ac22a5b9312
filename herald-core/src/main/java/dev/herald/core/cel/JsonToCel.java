package dev.herald.core.cel;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.google.protobuf.NullValue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a connection's raw meta JSON into the values CEL's runtime understands: {@code Map<String, Object>},
 * {@code List<Object>}, {@code String}, {@code Long} (integers that fit), {@code Double} (every other number),
 * {@code Boolean} and protobuf {@code NullValue} (CEL's {@code null} with the options Herald uses). Streams
 * straight into those values, without an intermediate tree, and builds compact immutable collections: the result
 * is kept on the session ({@link SessionMeta}).
 */
final class JsonToCel {
    private static final JsonFactory JSON = new JsonFactory();

    private JsonToCel() {
    }

    /**
     * The meta object as a CEL map; an empty map when there is no meta, when it is not a JSON object, or when it
     * does not parse (the variable is declared {@code map(string, dyn)}, so it must always be a map).
     */
    static Map<String, Object> metaObject(byte[] raw) {
        if (raw == null || raw.length == 0) {
            return Map.of();
        }
        try (JsonParser parser = JSON.createParser(raw)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return Map.of();
            }
            Map<String, Object> map = object(parser);
            return parser.nextToken() == null ? map : Map.of();
        } catch (IOException e) {
            return Map.of();
        }
    }

    /** Reads the members of an object whose START_OBJECT was just read. */
    private static Map<String, Object> object(JsonParser parser) throws IOException {
        Map<String, Object> map = new HashMap<>();
        String name;
        while ((name = parser.nextFieldName()) != null) {
            map.put(name, value(parser, parser.nextToken()));
        }
        return Map.copyOf(map); // compact and immutable: the value may be kept on the session
    }

    private static Object value(JsonParser parser, JsonToken token) throws IOException {
        if (token == null) {
            throw new IOException("truncated JSON");
        }
        return switch (token) {
            case START_OBJECT -> object(parser);
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                JsonToken next;
                while ((next = parser.nextToken()) != JsonToken.END_ARRAY) {
                    list.add(value(parser, next));
                }
                yield List.copyOf(list);
            }
            case VALUE_STRING -> parser.getText();
            case VALUE_NUMBER_INT -> parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    ? (Object) parser.getDoubleValue() : (Object) parser.getLongValue();
            case VALUE_NUMBER_FLOAT -> parser.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> NullValue.NULL_VALUE;
            default -> throw new IOException("unexpected JSON token " + token);
        };
    }
}
