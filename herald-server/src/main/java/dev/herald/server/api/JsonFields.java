package dev.herald.server.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fields of one JSON object, each kept as the exact span of source bytes its value came from. Payload fields
 * ({@code data}, {@code info}, RPC {@code params}) are handed on byte for byte, as Centrifugo's {@code json.RawMessage}
 * does, instead of being re-serialized from a tree; nested objects are read by parsing their span again.
 *
 * <p>Absent and {@code null} values read as the type's zero value, as in Centrifugo's protobuf-shaped requests; a
 * value of the wrong type is a {@link BadJsonException}.
 */
final class JsonFields {
    /** Duplicate keys are allowed and the last one wins, as with Go's encoding/json. */
    static final JsonFactory FACTORY = new JsonFactory();

    /** A value's span in {@link #src}, its first token, and its text when it is a string (read while parsing). */
    private record Span(JsonToken token, int start, int end, String text) {
    }

    private final byte[] src;
    private final Map<String, Span> fields;

    private JsonFields(byte[] src, Map<String, Span> fields) {
        this.src = src;
        this.fields = fields;
    }

    /** An object with no fields. */
    static JsonFields empty() {
        return new JsonFields(new byte[0], Map.of());
    }

    /** Parses the object at {@code src[off, off+len)}; the span must hold exactly one JSON object. */
    static JsonFields parse(byte[] src, int off, int len) throws BadJsonException {
        try (JsonParser p = FACTORY.createParser(src, off, len)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new BadJsonException("expected a JSON object");
            }
            JsonFields fields = readObject(p, src, off);
            if (p.nextToken() != null) {
                throw new BadJsonException("unexpected data after the JSON object");
            }
            return fields;
        } catch (IOException e) {
            throw BadJsonException.syntax(e);
        }
    }

    /**
     * Parses a stream of JSON values separated by whitespace (the legacy API's newline-delimited commands); each
     * must be an object.
     */
    static List<JsonFields> parseStream(byte[] src) throws BadJsonException {
        List<JsonFields> out = new ArrayList<>();
        try (JsonParser p = FACTORY.createParser(src)) {
            JsonToken token;
            while ((token = p.nextToken()) != null) {
                if (token != JsonToken.START_OBJECT) {
                    throw new BadJsonException("expected a JSON object per command");
                }
                out.add(readObject(p, src, 0));
            }
        } catch (IOException e) {
            throw BadJsonException.syntax(e);
        }
        return out;
    }

    /** Reads the fields of the object whose START_OBJECT is the current token; leaves the parser on its END. */
    private static JsonFields readObject(JsonParser p, byte[] src, int base) throws IOException {
        Map<String, Span> fields = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            int start = base + (int) p.currentTokenLocation().getByteOffset();
            String text = null;
            if (value.isStructStart()) {
                p.skipChildren();
            } else if (value == JsonToken.VALUE_STRING) {
                text = p.getText(); // reads the whole token, so the end offset below is after it
            }
            int end = base + (int) p.currentLocation().getByteOffset();
            fields.put(name, new Span(value, start, end, text));
        }
        return new JsonFields(src, fields);
    }

    Set<String> names() {
        return Collections.unmodifiableSet(fields.keySet());
    }

    /** True when the field is present and not {@code null}. */
    boolean has(String name) {
        Span span = fields.get(name);
        return span != null && span.token() != JsonToken.VALUE_NULL;
    }

    boolean isString(String name) {
        Span span = fields.get(name);
        return span != null && span.token() == JsonToken.VALUE_STRING;
    }

    /** The value's exact source bytes, or null when absent or {@code null}. */
    byte[] raw(String name) {
        Span span = present(name);
        return span == null ? null : Arrays.copyOfRange(src, span.start(), span.end());
    }

    String string(String name) throws BadJsonException {
        Span span = present(name);
        if (span == null) {
            return "";
        }
        if (span.token() != JsonToken.VALUE_STRING) {
            throw BadJsonException.type(name, "a string");
        }
        return span.text();
    }

    boolean bool(String name) throws BadJsonException {
        Span span = present(name);
        if (span == null) {
            return false;
        }
        return switch (span.token()) {
            case VALUE_TRUE -> true;
            case VALUE_FALSE -> false;
            default -> throw BadJsonException.type(name, "a boolean");
        };
    }

    long integer(String name) throws BadJsonException {
        Span span = present(name);
        if (span == null) {
            return 0;
        }
        if (span.token() != JsonToken.VALUE_NUMBER_INT) {
            throw BadJsonException.type(name, "an integer");
        }
        try (JsonParser p = parser(span)) {
            p.nextToken();
            return p.getLongValue();
        } catch (IOException e) {
            throw BadJsonException.type(name, "an integer within 64 bits");
        }
    }

    int int32(String name) throws BadJsonException {
        long value = integer(name);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw BadJsonException.type(name, "a 32-bit integer");
        }
        return (int) value;
    }

    /** A nested object, or null when absent or {@code null}. */
    JsonFields object(String name) throws BadJsonException {
        Span span = present(name);
        if (span == null) {
            return null;
        }
        if (span.token() != JsonToken.START_OBJECT) {
            throw BadJsonException.type(name, "an object");
        }
        return parse(src, span.start(), span.end() - span.start());
    }

    /** An array of objects; a {@code null} element stays null. Empty when absent. */
    List<JsonFields> objects(String name) throws BadJsonException {
        Span span = array(name);
        if (span == null) {
            return List.of();
        }
        List<JsonFields> out = new ArrayList<>();
        try (JsonParser p = parser(span)) {
            p.nextToken();
            JsonToken token;
            while ((token = p.nextToken()) != JsonToken.END_ARRAY) {
                if (token == JsonToken.VALUE_NULL) {
                    out.add(null);
                } else if (token == JsonToken.START_OBJECT) {
                    out.add(readObject(p, src, span.start()));
                } else {
                    throw BadJsonException.type(name, "an array of objects");
                }
            }
        } catch (IOException e) {
            throw BadJsonException.syntax(e);
        }
        return out;
    }

    /** An array of strings; empty when absent. */
    List<String> strings(String name) throws BadJsonException {
        Span span = array(name);
        if (span == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        try (JsonParser p = parser(span)) {
            p.nextToken();
            JsonToken token;
            while ((token = p.nextToken()) != JsonToken.END_ARRAY) {
                if (token != JsonToken.VALUE_STRING) {
                    throw BadJsonException.type(name, "an array of strings");
                }
                out.add(p.getText());
            }
        } catch (IOException e) {
            throw BadJsonException.syntax(e);
        }
        return out;
    }

    /** An object of string values; empty when absent. */
    Map<String, String> stringMap(String name) throws BadJsonException {
        JsonFields object = object(name);
        if (object == null) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : object.names()) {
            if (object.present(key) != null && object.present(key).token() != JsonToken.VALUE_STRING) {
                throw BadJsonException.type(name + "." + key, "a string");
            }
            out.put(key, object.string(key));
        }
        return out;
    }

    private Span present(String name) {
        Span span = fields.get(name);
        return span == null || span.token() == JsonToken.VALUE_NULL ? null : span;
    }

    private Span array(String name) throws BadJsonException {
        Span span = present(name);
        if (span != null && span.token() != JsonToken.START_ARRAY) {
            throw BadJsonException.type(name, "an array");
        }
        return span;
    }

    /** A parser over one value's span; offsets it reports are relative to the span's start. */
    private JsonParser parser(Span span) throws IOException {
        return FACTORY.createParser(src, span.start(), span.end() - span.start());
    }
}
