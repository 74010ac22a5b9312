package dev.herald.core.auth;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and checks the claims of a JWT whose signature is already verified, in one streaming pass over the
 * payload (no tree for the common claims). {@code info}, {@code meta} and {@code data} are kept as the payload's
 * own bytes for that value (whitespace outside strings removed), so their numbers are never re-formatted (1.10
 * stays 1.10). The rare nested claims {@code subs} and {@code override} are read into a tree with exact decimals.
 *
 * <p>A claim of the wrong JSON type makes the token INVALID, as Go's strict unmarshalling does in Centrifugo, but
 * only when the claim is read: a wrong {@code iss} is ignored unless an issuer is configured, and {@code channels}
 * is ignored when {@code subs} is present. JSON {@code null} counts as absent. A repeated claim keeps its last
 * value. Whatever follows the root object is ignored.
 */
final class Claims {
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .build();
    private static final JsonFactory FACTORY = MAPPER.getFactory();

    /** A claim of the wrong type: raised as INVALID when the claim is read. */
    private record Bad(String message) {
    }

    // Each field is null (absent or JSON null), the claim's value, or a Bad.
    private Object sub;
    private Object jti;
    private Object iss;
    private Object channel;
    private Object client;
    private Object b64info;
    private Object b64data;
    private Object exp;
    private Object nbf;
    private Object iat;
    private Object expireAt;
    /** A String, a List of the array's strings, or a Bad. */
    private Object aud;
    /** A List of String or a Bad. */
    private Object channels;
    /** JsonNode trees (objects) or Bads. */
    private Object subs;
    private Object override;
    private byte[] info;
    private byte[] meta;
    private byte[] data;

    private Claims() {
    }

    static Claims parse(byte[] payload) throws TokenException {
        Claims c = new Claims();
        try (JsonParser p = FACTORY.createParser(payload)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw invalid("claims are not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                switch (name) {
                    case "sub" -> c.sub = string(p, v, name);
                    case "exp" -> c.exp = number(p, v, name);
                    case "iat" -> c.iat = number(p, v, name);
                    case "jti" -> c.jti = string(p, v, name);
                    case "nbf" -> c.nbf = number(p, v, name);
                    case "aud" -> c.aud = audience(p, v);
                    case "iss" -> c.iss = string(p, v, name);
                    case "info" -> c.info = raw(p, v, payload);
                    case "b64info" -> c.b64info = string(p, v, name);
                    case "meta" -> c.meta = raw(p, v, payload);
                    case "channels" -> c.channels = strings(p, v, name);
                    case "subs" -> c.subs = tree(p, v, "claim subs must be an object");
                    case "expire_at" -> c.expireAt = number(p, v, name);
                    case "channel" -> c.channel = string(p, v, name);
                    case "client" -> c.client = string(p, v, name);
                    case "data" -> c.data = raw(p, v, payload);
                    case "b64data" -> c.b64data = string(p, v, name);
                    case "override" -> c.override = tree(p, v, "claim override must be an object");
                    default -> p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw invalid("claims are not JSON");
        }
        return c;
    }

    /** Expiry and not-before against {@code now}, then audience and issuer when configured (empty = unchecked). */
    void checkTimesAndParties(Instant now, String audience, String issuer) throws TokenException {
        // Whole seconds against an instant: exp is valid while exp > now, nbf once nbf <= now.
        long nowSeconds = now.getEpochSecond();
        Long exp = number(this.exp);
        if (exp != null && exp <= nowSeconds) {
            throw new TokenException(TokenException.Kind.EXPIRED, "token expired");
        }
        Long nbf = number(this.nbf);
        if (nbf != null && nbf > nowSeconds) {
            throw new TokenException(TokenException.Kind.EXPIRED, "token not valid yet");
        }
        if (!audience.isEmpty() && !audienceContains(audience)) {
            throw invalid("audience mismatch");
        }
        if (!issuer.isEmpty() && !issuer.equals(string(iss))) {
            throw invalid("issuer mismatch");
        }
    }

    ConnectToken toConnectToken() throws TokenException {
        String channel = string(this.channel);
        if (channel != null && !channel.isEmpty()) {
            throw invalid("connection token must not have a channel claim");
        }
        Map<String, SubscribeOptions> subs = subs((JsonNode) value(this.subs));
        List<String> channels = subs.isEmpty() ? strings(this.channels) : List.of();
        return new ConnectToken(orEmpty(string(sub)), expireAt(), orZero(number(iat)), orEmpty(string(jti)),
                bytes(info, b64info, "b64info"), meta, channels, subs);
    }

    SubscribeToken toSubscribeToken() throws TokenException {
        String channel = string(this.channel);
        if (channel == null || channel.isEmpty()) {
            throw invalid("subscription token must have a channel claim");
        }
        return new SubscribeToken(orEmpty(string(sub)), channel, orEmpty(string(client)), expireAt(),
                orZero(number(iat)), orEmpty(string(jti)), bytes(info, b64info, "b64info"),
                bytes(data, b64data, "b64data"), override((JsonNode) value(override)));
    }

    /** {@code expire_at} when present (0 = never), otherwise {@code exp}, otherwise 0. */
    private long expireAt() throws TokenException {
        Long expireAt = number(this.expireAt);
        return expireAt != null ? expireAt : orZero(number(exp));
    }

    private boolean audienceContains(String audience) throws TokenException {
        Object aud = value(this.aud);
        if (aud == null) {
            return false;
        }
        if (aud instanceof String s) {
            return audience.equals(s);
        }
        return ((List<?>) aud).contains(audience);
    }

    // ---- reading values while streaming (wrong types become Bads, the parser always moves past the value) ----

    private static Object string(JsonParser p, JsonToken v, String name) throws IOException {
        if (v == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        p.skipChildren();
        return new Bad("claim " + name + " must be a string");
    }

    /** A NumericDate: integral or fractional seconds (the fraction is dropped). */
    private static Object number(JsonParser p, JsonToken v, String name) throws IOException {
        if (v == JsonToken.VALUE_NUMBER_INT) {
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                return new Bad("claim " + name + " is out of range");
            }
            return p.getLongValue();
        }
        if (v == JsonToken.VALUE_NUMBER_FLOAT) {
            double value = p.getDoubleValue();
            if (!Double.isFinite(value) || Math.abs(value) > 9.2e18) {
                return new Bad("claim " + name + " is out of range");
            }
            return (long) Math.floor(value);
        }
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        p.skipChildren();
        return new Bad("claim " + name + " must be a number");
    }

    /** An array of strings (any other item makes it a Bad). */
    private static Object strings(JsonParser p, JsonToken v, String name) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        if (v != JsonToken.START_ARRAY) {
            p.skipChildren();
            return new Bad("claim " + name + " must be an array of strings");
        }
        String first = null;
        List<String> more = null;
        boolean bad = false;
        JsonToken item;
        while ((item = p.nextToken()) != JsonToken.END_ARRAY) {
            if (item != JsonToken.VALUE_STRING) {
                p.skipChildren();
                bad = true;
            } else if (!bad) {
                if (first == null) {
                    first = p.getText();
                } else {
                    if (more == null) {
                        more = new ArrayList<>(4);
                        more.add(first);
                    }
                    more.add(p.getText());
                }
            }
        }
        if (bad) {
            return new Bad("claim " + name + " must be an array of strings");
        }
        return more != null ? List.copyOf(more) : first != null ? List.of(first) : List.of();
    }

    /** A string, or an array whose string items are kept (others are ignored), as RFC 7519 allows. */
    private static Object audience(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        if (v != JsonToken.START_ARRAY) {
            p.skipChildren();
            return new Bad("claim aud must be a string or an array of strings");
        }
        List<String> result = new ArrayList<>(2);
        JsonToken item;
        while ((item = p.nextToken()) != JsonToken.END_ARRAY) {
            if (item == JsonToken.VALUE_STRING) {
                result.add(p.getText());
            } else {
                p.skipChildren();
            }
        }
        return result;
    }

    private static Object tree(JsonParser p, JsonToken v, String badMessage) throws IOException {
        if (v == JsonToken.START_OBJECT) {
            return p.readValueAsTree();
        }
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        p.skipChildren();
        return new Bad(badMessage);
    }

    /** The value's own bytes in {@code payload}, whitespace outside strings removed; null for JSON null. */
    private static byte[] raw(JsonParser p, JsonToken v, byte[] payload) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        int start = (int) p.currentTokenLocation().getByteOffset();
        if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
            p.skipChildren();
        } else {
            p.finishToken();
        }
        int end = (int) p.currentLocation().getByteOffset();
        if (start < 0 || end > payload.length || end <= start) {
            throw new IllegalStateException("no byte offsets from the JSON parser");
        }
        return compact(payload, start, end);
    }

    /** Copies {@code json[start, end)} without the whitespace outside strings. */
    static byte[] compact(byte[] json, int start, int end) {
        int i = start;
        while (i < end && !isSpace(json[i])) {
            i++;
        }
        if (i == end) {
            return Arrays.copyOfRange(json, start, end);
        }
        byte[] out = new byte[end - start];
        int n = 0;
        boolean inString = false;
        for (i = start; i < end; i++) {
            byte b = json[i];
            if (inString) {
                out[n++] = b;
                if (b == '\\') {
                    out[n++] = json[++i];
                } else if (b == '"') {
                    inString = false;
                }
            } else if (!isSpace(b)) {
                out[n++] = b;
                inString = b == '"';
            }
        }
        return Arrays.copyOf(out, n);
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }

    // ---- reading the collected values ----

    private static Object value(Object field) throws TokenException {
        if (field instanceof Bad bad) {
            throw invalid(bad.message);
        }
        return field;
    }

    private static String string(Object field) throws TokenException {
        return (String) value(field);
    }

    private static Long number(Object field) throws TokenException {
        return (Long) value(field);
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object field) throws TokenException {
        Object value = value(field);
        return value == null ? List.of() : (List<String>) value;
    }

    /** Raw JSON when present, else the decoded base64 of {@code b64}, else null. */
    private static byte[] bytes(byte[] raw, Object b64, String b64Name) throws TokenException {
        if (raw != null) {
            return raw;
        }
        return decodeBase64(string(b64), b64Name);
    }

    private static byte[] decodeBase64(String b64, String name) throws TokenException {
        if (b64 == null) {
            return null;
        }
        try {
            return Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw invalid("claim " + name + " is not valid base64");
        }
    }

    // ---- the nested claims, from trees ----

    private static Map<String, SubscribeOptions> subs(JsonNode subs) throws TokenException {
        if (subs == null) {
            return Map.of();
        }
        Map<String, SubscribeOptions> result = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = subs.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode options = e.getValue();
            if (options == null || options.isNull()) {
                result.put(e.getKey(), new SubscribeOptions(null, null, null));
                continue;
            }
            if (!options.isObject()) {
                throw invalid("subs." + e.getKey() + " must be an object");
            }
            result.put(e.getKey(), new SubscribeOptions(bytes(options, "info", "b64info"),
                    bytes(options, "data", "b64data"), override(options.get("override"))));
        }
        return Collections.unmodifiableMap(result);
    }

    private static SubscribeOptions.Override override(JsonNode node) throws TokenException {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw invalid("claim override must be an object");
        }
        return new SubscribeOptions.Override(boolValue(node, "presence"), boolValue(node, "join_leave"),
                boolValue(node, "force_recovery"), boolValue(node, "force_positioning"),
                boolValue(node, "force_push_join_leave"));
    }

    /** A protobuf-style BoolValue {@code {"value": true}}; a bare boolean is accepted too. */
    private static Boolean boolValue(JsonNode parent, String name) throws TokenException {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isObject()) {
            JsonNode value = node.get("value");
            if (value == null || value.isNull()) {
                return false;
            }
            if (value.isBoolean()) {
                return value.booleanValue();
            }
        }
        throw invalid("override " + name + " must be {\"value\": bool}");
    }

    /** Raw JSON of {@code jsonName} in a tree, else the decoded base64 of {@code b64Name}, else null. */
    private static byte[] bytes(JsonNode parent, String jsonName, String b64Name) throws TokenException {
        JsonNode node = parent.get(jsonName);
        if (node != null && !node.isNull()) {
            try {
                return MAPPER.writeValueAsBytes(node);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot re-serialize a parsed JSON tree", e);
            }
        }
        JsonNode b64 = parent.get(b64Name);
        if (b64 == null || b64.isNull()) {
            return null;
        }
        if (!b64.isTextual()) {
            throw invalid("claim " + b64Name + " must be a string");
        }
        return decodeBase64(b64.asText(), b64Name);
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }

    private static TokenException invalid(String message) {
        return new TokenException(TokenException.Kind.INVALID, message);
    }
}
