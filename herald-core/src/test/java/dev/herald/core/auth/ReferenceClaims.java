package dev.herald.core.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tree-based claims reader that the streaming {@link Claims} replaced, kept unchanged as the reference its
 * tests compare against. The payload is parsed with Jackson into a tree with exact decimals and {@code info},
 * {@code meta} and {@code data} are re-serialized from it.
 */
final class ReferenceClaims {
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .build();

    private final JsonNode root;

    private ReferenceClaims(JsonNode root) {
        this.root = root;
    }

    static ReferenceClaims parse(byte[] payload) throws TokenException {
        JsonNode root;
        try {
            root = MAPPER.readTree(payload);
        } catch (IOException e) {
            throw invalid("claims are not JSON");
        }
        if (root == null || !root.isObject()) {
            throw invalid("claims are not a JSON object");
        }
        return new ReferenceClaims(root);
    }

    /** Expiry and not-before against {@code now}, then audience and issuer when configured (empty = unchecked). */
    void checkTimesAndParties(Instant now, String audience, String issuer) throws TokenException {
        // Whole seconds against an instant: exp is valid while exp > now, nbf once nbf <= now.
        long nowSeconds = now.getEpochSecond();
        Long exp = number(root, "exp");
        if (exp != null && exp <= nowSeconds) {
            throw new TokenException(TokenException.Kind.EXPIRED, "token expired");
        }
        Long nbf = number(root, "nbf");
        if (nbf != null && nbf > nowSeconds) {
            throw new TokenException(TokenException.Kind.EXPIRED, "token not valid yet");
        }
        if (!audience.isEmpty() && !audienceContains(audience)) {
            throw invalid("audience mismatch");
        }
        if (!issuer.isEmpty() && !issuer.equals(string(root, "iss"))) {
            throw invalid("issuer mismatch");
        }
    }

    ConnectToken toConnectToken() throws TokenException {
        String channel = string(root, "channel");
        if (channel != null && !channel.isEmpty()) {
            throw invalid("connection token must not have a channel claim");
        }
        Map<String, SubscribeOptions> subs = subs(root.get("subs"));
        List<String> channels = subs.isEmpty() ? strings(root, "channels") : List.of();
        return new ConnectToken(orEmpty(string(root, "sub")), expireAt(), orZero(number(root, "iat")),
                orEmpty(string(root, "jti")), bytes(root, "info", "b64info"), raw(root, "meta"), channels, subs);
    }

    SubscribeToken toSubscribeToken() throws TokenException {
        String channel = string(root, "channel");
        if (channel == null || channel.isEmpty()) {
            throw invalid("subscription token must have a channel claim");
        }
        return new SubscribeToken(orEmpty(string(root, "sub")), channel, orEmpty(string(root, "client")), expireAt(),
                orZero(number(root, "iat")), orEmpty(string(root, "jti")), bytes(root, "info", "b64info"),
                bytes(root, "data", "b64data"), override(root.get("override")));
    }

    /** {@code expire_at} when present (0 = never), otherwise {@code exp}, otherwise 0. */
    private long expireAt() throws TokenException {
        Long expireAt = number(root, "expire_at");
        return expireAt != null ? expireAt : orZero(number(root, "exp"));
    }

    private boolean audienceContains(String audience) throws TokenException {
        JsonNode aud = root.get("aud");
        if (aud == null || aud.isNull()) {
            return false;
        }
        if (aud.isTextual()) {
            return audience.equals(aud.asText());
        }
        if (aud.isArray()) {
            for (JsonNode item : aud) {
                if (item.isTextual() && audience.equals(item.asText())) {
                    return true;
                }
            }
            return false;
        }
        throw invalid("claim aud must be a string or an array of strings");
    }

    private static Map<String, SubscribeOptions> subs(JsonNode subs) throws TokenException {
        if (subs == null || subs.isNull()) {
            return Map.of();
        }
        if (!subs.isObject()) {
            throw invalid("claim subs must be an object");
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

    private static List<String> strings(JsonNode parent, String name) throws TokenException {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw invalid("claim " + name + " must be an array of strings");
        }
        List<String> result = new ArrayList<>(node.size());
        for (JsonNode item : node) {
            if (!item.isTextual()) {
                throw invalid("claim " + name + " must be an array of strings");
            }
            result.add(item.asText());
        }
        return List.copyOf(result);
    }

    /** Raw JSON of {@code jsonName}, else the decoded base64 of {@code b64Name}, else null. */
    private static byte[] bytes(JsonNode parent, String jsonName, String b64Name) throws TokenException {
        byte[] raw = raw(parent, jsonName);
        if (raw != null) {
            return raw;
        }
        String b64 = string(parent, b64Name);
        if (b64 == null) {
            return null;
        }
        try {
            return Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw invalid("claim " + b64Name + " is not valid base64");
        }
    }

    private static byte[] raw(JsonNode parent, String name) {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot re-serialize a parsed JSON tree", e);
        }
    }

    private static String string(JsonNode parent, String name) throws TokenException {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw invalid("claim " + name + " must be a string");
        }
        return node.asText();
    }

    /** A NumericDate: integral or fractional seconds (the fraction is dropped). */
    private static Long number(JsonNode parent, String name) throws TokenException {
        JsonNode node = parent.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isNumber()) {
            throw invalid("claim " + name + " must be a number");
        }
        if (node.isIntegralNumber()) {
            if (!node.canConvertToLong()) {
                throw invalid("claim " + name + " is out of range");
            }
            return node.longValue();
        }
        double value = node.doubleValue();
        if (!Double.isFinite(value) || Math.abs(value) > 9.2e18) {
            throw invalid("claim " + name + " is out of range");
        }
        return (long) Math.floor(value);
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
