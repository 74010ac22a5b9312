package dev.herald.server.proxy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.core.auth.SubscribeOptions;
import dev.herald.core.codes.Disconnect;
import dev.herald.core.codes.DisconnectException;
import dev.herald.core.codes.ErrorException;
import dev.herald.core.config.FrozenConfig;
import dev.herald.core.proxy.ConnectProxy;
import dev.herald.core.proxy.ConnectProxyRequest;
import dev.herald.core.proxy.ConnectProxyResult;
import dev.herald.protocol.ReplyError;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The connect proxy over HTTP (reference section 5.2): POSTs the connect request as JSON and reads
 * {@code {"result":{...}}}, {@code {"error":{...}}} or {@code {"disconnect":{...}}}. Asynchronous end to end: the
 * caller's event loop never waits; the JDK client's own threads carry the call and its timeout.
 */
public final class HttpConnectProxy implements ConnectProxy {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final URI endpoint;
    private final FrozenConfig.Proxy config;

    public HttpConnectProxy(FrozenConfig.Proxy config, HttpClient http) {
        this.config = config;
        this.http = http;
        this.endpoint = URI.create(config.endpoint);
    }

    @Override
    public CompletionStage<ConnectProxyResult> connect(ConnectProxyRequest request) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(endpoint)
                .timeout(config.timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body(request, config.binaryEncoding)));
        Map<String, List<String>> forwarded = request.headers() == null ? Map.of() : request.headers();
        // The client's own headers win over static ones of the same name, as in Centrifugo.
        config.staticHeaders.forEach((name, value) -> {
            if (!forwarded.containsKey(name.toLowerCase(Locale.ROOT))) {
                builder.header(name, value);
            }
        });
        forwarded.forEach((name, values) -> values.forEach(value -> builder.header(name, value)));
        return http.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofByteArray())
                .thenApply(HttpConnectProxy::parse);
    }

    /**
     * The request body. {@code encoding} says which field carries the client's data, as in Centrifugo:
     * {@code "json"} with raw JSON {@code data}, or {@code "binary"} with base64 {@code b64data}, which is used when
     * {@code binary_encoding} is on and also when the data is not JSON (a protobuf client's bytes can be anything).
     */
    static byte[] body(ConnectProxyRequest r, boolean binaryEncoding) {
        ObjectNode node = JSON.createObjectNode();
        node.put("client", r.client());
        node.put("transport", r.transport());
        node.put("protocol", r.protocol());
        byte[] data = r.data() == null || r.data().length == 0 ? null : r.data();
        JsonNode json = binaryEncoding || data == null ? null : jsonOrNull(data);
        boolean binary = binaryEncoding || (data != null && json == null);
        node.put("encoding", binary ? "binary" : "json");
        if (r.name() != null && !r.name().isEmpty()) {
            node.put("name", r.name());
        }
        if (r.version() != null && !r.version().isEmpty()) {
            node.put("version", r.version());
        }
        if (json != null) {
            node.set("data", json);
        } else if (data != null) {
            node.put("b64data", Base64.getEncoder().encodeToString(data));
        }
        if (r.channels() != null && !r.channels().isEmpty()) {
            node.set("channels", JSON.valueToTree(r.channels()));
        }
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode jsonOrNull(byte[] data) {
        try {
            return JSON.readTree(data);
        } catch (IOException e) {
            return null;
        }
    }

    /** Maps the backend's answer; anything unexpected is a failure that the client sees as error 100 / 3004. */
    static ConnectProxyResult parse(HttpResponse<byte[]> response) {
        if (response.statusCode() != 200) {
            throw new CompletionException(new IOException("connect proxy answered HTTP " + response.statusCode()));
        }
        JsonNode root;
        try {
            root = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new CompletionException(new IOException("connect proxy answered malformed JSON", e));
        }
        if (root == null || !root.isObject()) {
            throw new CompletionException(new IOException("connect proxy answered a non-object"));
        }
        JsonNode disconnect = root.get("disconnect");
        if (disconnect != null && disconnect.isObject()) {
            throw new DisconnectException(new Disconnect(disconnect.path("code").asInt(4000),
                    disconnect.path("reason").asText("")));
        }
        JsonNode error = root.get("error");
        if (error != null && error.isObject()) {
            throw new ErrorException(new ReplyError(error.path("code").asInt(100), error.path("message").asText(""),
                    error.path("temporary").asBoolean(false)));
        }
        JsonNode result = root.get("result");
        if (result == null || !result.isObject()) {
            throw new CompletionException(new IOException("connect proxy answered without a result"));
        }
        return new ConnectProxyResult(result.path("user").asText(""), result.path("expire_at").asLong(0),
                raw(result, "info", "b64info"), raw(result, "data", "b64data"), channels(result), subs(result),
                metaOf(result));
    }

    private static byte[] metaOf(JsonNode result) {
        JsonNode meta = result.get("meta");
        return meta == null || meta.isNull() ? null : bytes(meta);
    }

    private static List<String> channels(JsonNode result) {
        List<String> out = new ArrayList<>();
        result.path("channels").forEach(c -> out.add(c.asText()));
        return out;
    }

    private static Map<String, SubscribeOptions> subs(JsonNode result) {
        Map<String, SubscribeOptions> out = new LinkedHashMap<>();
        result.path("subs").properties().forEach(e -> {
            JsonNode o = e.getValue();
            JsonNode ov = o.path("override");
            SubscribeOptions.Override override = ov.isObject() ? new SubscribeOptions.Override(
                    bool(ov, "presence"), bool(ov, "join_leave"), bool(ov, "force_recovery"),
                    bool(ov, "force_positioning"), bool(ov, "force_push_join_leave")) : null;
            out.put(e.getKey(), new SubscribeOptions(raw(o, "info", "b64info"), raw(o, "data", "b64data"), override));
        });
        return out;
    }

    private static Boolean bool(JsonNode override, String name) {
        JsonNode v = override.path(name).path("value");
        return v.isBoolean() ? v.booleanValue() : null;
    }

    /** A raw-JSON field, or its base64 twin decoded. */
    private static byte[] raw(JsonNode node, String field, String b64Field) {
        JsonNode v = node.get(field);
        if (v != null && !v.isNull()) {
            return bytes(v);
        }
        JsonNode b64 = node.get(b64Field);
        if (b64 != null && b64.isTextual()) {
            return Base64.getDecoder().decode(b64.asText());
        }
        return null;
    }

    private static byte[] bytes(JsonNode v) {
        try {
            return JSON.writeValueAsBytes(v);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
