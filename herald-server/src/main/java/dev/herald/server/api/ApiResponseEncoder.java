package dev.herald.server.api;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.herald.core.NodeInfo;
import dev.herald.core.api.ApiResult;
import dev.herald.core.api.ConnectionInfo;
import dev.herald.protocol.ClientInfo;
import dev.herald.protocol.Publication;
import dev.herald.protocol.ReplyError;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Writes server API results as Centrifugo's JSON (field names and omit-empty rules of {@code api.proto}'s JSON
 * tags). {@code bytes} fields ({@code data}, {@code conn_info}, {@code meta}, ...) are embedded as raw JSON. The
 * three sessions shapes follow the seeds: {@code connections} entries carry a {@code state} object,
 * {@code user_connections} and {@code getUserConnections} entries are flat. Stateless.
 */
final class ApiResponseEncoder {

    private ApiResponseEncoder() {
    }

    /** {@code {"result": ...}}. */
    static byte[] result(ApiResult result) {
        return write(g -> {
            g.writeStartObject();
            g.writeFieldName("result");
            writeResult(g, result);
            g.writeEndObject();
        });
    }

    /**
     * {@code {"result": ...}} straight into a new buffer from {@code alloc} (direct with Netty's default), so the
     * socket write needs no copy of the body; the caller owns the buffer.
     */
    static ByteBuf result(ByteBufAllocator alloc, ApiResult result) {
        ByteBuf buf = alloc.buffer(256);
        try {
            try (JsonGenerator g = JsonFields.FACTORY.createGenerator((OutputStream) new ByteBufOutputStream(buf))) {
                g.writeStartObject();
                g.writeFieldName("result");
                writeResult(g, result);
                g.writeEndObject();
            }
            return buf;
        } catch (IOException e) {
            buf.release();
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            buf.release();
            throw e;
        }
    }

    /** {@code {"error": {...}}}. */
    static byte[] error(ReplyError error) {
        return write(g -> {
            g.writeStartObject();
            g.writeFieldName("error");
            writeError(g, error);
            g.writeEndObject();
        });
    }

    /** The bare error object, as the transport error mode sends it. */
    static byte[] bareError(ReplyError error) {
        return write(g -> writeError(g, error));
    }

    /** One legacy reply: {@code {"id": N, "result": ...}} or with {@code error}; {@code id} 0 is left out. */
    static byte[] legacyReply(long id, ApiResult result, ReplyError error) {
        return write(g -> {
            g.writeStartObject();
            if (id != 0) {
                g.writeNumberField("id", id);
            }
            if (error != null) {
                g.writeFieldName("error");
                writeError(g, error);
            } else {
                g.writeFieldName("result");
                writeResult(g, result);
            }
            g.writeEndObject();
        });
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] write(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JsonFields.FACTORY.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static void writeError(JsonGenerator g, ReplyError error) throws IOException {
        g.writeStartObject();
        g.writeNumberField("code", error.code());
        if (error.message() != null && !error.message().isEmpty()) {
            g.writeStringField("message", error.message());
        }
        g.writeEndObject();
    }

    static void writeResult(JsonGenerator g, ApiResult result) throws IOException {
        switch (result) {
            case ApiResult.Empty e -> {
                g.writeStartObject();
                g.writeEndObject();
            }
            case ApiResult.Publish r -> writePublish(g, r);
            case ApiResult.Broadcast r -> writeBroadcast(g, r);
            case ApiResult.Presence r -> writePresence(g, r);
            case ApiResult.PresenceStats r -> {
                g.writeStartObject();
                g.writeNumberField("num_clients", r.numClients());
                g.writeNumberField("num_users", r.numUsers());
                g.writeEndObject();
            }
            case ApiResult.History r -> writeHistory(g, r);
            case ApiResult.Channels r -> writeChannels(g, r);
            case ApiResult.Info r -> writeInfo(g, r.nodes());
            case ApiResult.Rpc r -> {
                g.writeStartObject();
                if (!(r.data() instanceof ApiResult.Raw raw) || (raw.json() != null && raw.json().length > 0)) {
                    g.writeFieldName("data");
                    writeResult(g, r.data());
                }
                g.writeEndObject();
            }
            case ApiResult.Raw r -> writeRaw(g, r.json());
            case ApiResult.Batch r -> writeBatch(g, r);
            case ApiResult.Connections r -> writeConnections(g, r);
            case ApiResult.UserConnections r -> {
                g.writeStartObject();
                g.writeFieldName("connections");
                writeFlatConnections(g, r.connections());
                writeCompleteness(g, r.missingNodes());
                g.writeEndObject();
            }
            // The RPC's data is the bare map (seed 002): there is no room for completeness in it.
            case ApiResult.ConnectionMap r -> writeFlatConnections(g, r.connections());
        }
    }

    private static void writeBroadcast(JsonGenerator g, ApiResult.Broadcast r) throws IOException {
        g.writeStartObject();
        g.writeArrayFieldStart("responses");
        for (ApiResult.PublishReply reply : r.responses()) {
            g.writeStartObject();
            if (reply.error() != null) {
                g.writeFieldName("error");
                writeError(g, reply.error());
            } else {
                g.writeFieldName("result");
                writePublish(g, reply.result());
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void writePresence(JsonGenerator g, ApiResult.Presence r) throws IOException {
        g.writeStartObject();
        g.writeObjectFieldStart("presence");
        for (Map.Entry<String, ClientInfo> e : r.presence().entrySet()) {
            g.writeFieldName(e.getKey());
            writeClientInfo(g, e.getValue());
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void writeChannels(JsonGenerator g, ApiResult.Channels r) throws IOException {
        g.writeStartObject();
        g.writeObjectFieldStart("channels");
        for (Map.Entry<String, Integer> e : r.channels().entrySet()) {
            g.writeObjectFieldStart(e.getKey());
            if (e.getValue() != 0) {
                g.writeNumberField("num_clients", e.getValue());
            }
            g.writeEndObject();
        }
        g.writeEndObject();
        writeCompleteness(g, r.missingNodes());
        g.writeEndObject();
    }

    /**
     * A cluster listing that some node did not answer in time says so: {@code "complete": false} and the ids of the
     * silent nodes. A complete listing carries neither field, so a single node's answer is Centrifugo's shape.
     */
    private static void writeCompleteness(JsonGenerator g, List<String> missingNodes) throws IOException {
        if (missingNodes == null || missingNodes.isEmpty()) {
            return;
        }
        g.writeBooleanField("complete", false);
        g.writeArrayFieldStart("missing_nodes");
        for (String node : missingNodes) {
            g.writeString(node);
        }
        g.writeEndArray();
    }

    /** {@code {"replies": [{"<method>": result} | {"error": {...}}]}}, in command order. */
    private static void writeBatch(JsonGenerator g, ApiResult.Batch r) throws IOException {
        g.writeStartObject();
        g.writeArrayFieldStart("replies");
        for (ApiResult.BatchReply reply : r.replies()) {
            g.writeStartObject();
            if (reply.error() != null) {
                g.writeFieldName("error");
                writeError(g, reply.error());
            } else {
                g.writeFieldName(reply.method());
                writeResult(g, reply.result());
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void writeConnections(JsonGenerator g, ApiResult.Connections r) throws IOException {
        g.writeStartObject();
        g.writeObjectFieldStart("connections");
        for (ConnectionInfo c : r.connections().values()) {
            g.writeFieldName(c.client());
            writeConnection(g, c, r.withUser());
        }
        g.writeEndObject();
        if (r.nextCursor() != null && !r.nextCursor().isEmpty()) {
            g.writeStringField("next_cursor", r.nextCursor());
        }
        writeCompleteness(g, r.missingNodes());
        g.writeEndObject();
    }

    private static void writePublish(JsonGenerator g, ApiResult.Publish r) throws IOException {
        g.writeStartObject();
        if (r.offset() != 0) {
            g.writeNumberField("offset", r.offset());
        }
        stringIfSet(g, "epoch", r.epoch());
        g.writeEndObject();
    }

    /** {@code user} and {@code client} are always written; the infos only when set. */
    private static void writeClientInfo(JsonGenerator g, ClientInfo info) throws IOException {
        g.writeStartObject();
        g.writeStringField("user", info.user() == null ? "" : info.user());
        g.writeStringField("client", info.client() == null ? "" : info.client());
        rawIfSet(g, "conn_info", info.connInfo());
        rawIfSet(g, "chan_info", info.chanInfo());
        g.writeEndObject();
    }

    /** {@code publications}, {@code epoch} and {@code offset} are always written. */
    private static void writeHistory(JsonGenerator g, ApiResult.History r) throws IOException {
        g.writeStartObject();
        g.writeArrayFieldStart("publications");
        for (Publication p : r.publications()) {
            g.writeStartObject();
            rawIfSet(g, "data", p.data());
            if (p.info() != null) {
                g.writeFieldName("info");
                writeClientInfo(g, p.info());
            }
            if (p.offset() != 0) {
                g.writeNumberField("offset", p.offset());
            }
            if (p.tags() != null && !p.tags().isEmpty()) {
                g.writeObjectFieldStart("tags");
                for (Map.Entry<String, String> tag : p.tags().entrySet()) {
                    g.writeStringField(tag.getKey(), tag.getValue());
                }
                g.writeEndObject();
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeStringField("epoch", r.epoch() == null ? "" : r.epoch());
        g.writeNumberField("offset", r.offset());
        g.writeEndObject();
    }

    private static void writeInfo(JsonGenerator g, List<NodeInfo> nodes) throws IOException {
        g.writeStartObject();
        g.writeArrayFieldStart("nodes");
        for (NodeInfo n : nodes) {
            g.writeStartObject();
            g.writeStringField("uid", n.uid());
            g.writeStringField("name", n.name());
            g.writeStringField("version", n.version());
            g.writeNumberField("num_clients", n.numClients());
            g.writeNumberField("num_users", n.numUsers());
            g.writeNumberField("num_channels", n.numChannels());
            if (n.uptime() != 0) {
                g.writeNumberField("uptime", n.uptime());
            }
            g.writeNumberField("num_subs", n.numSubs());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /** A {@code connections} entry (seed 000): identity fields, then {@code state} when any part of it is set. */
    private static void writeConnection(JsonGenerator g, ConnectionInfo c, boolean withUser) throws IOException {
        g.writeStartObject();
        writeIdentity(g, c);
        if (withUser) {
            stringIfSet(g, "user", c.user());
        }
        boolean hasMeta = c.meta() != null && c.meta().length > 0;
        ConnectionInfo.TokenInfo token = c.connectionToken();
        if (!c.channels().isEmpty() || !token.isEmpty() || !c.subscriptionTokens().isEmpty() || hasMeta) {
            g.writeObjectFieldStart("state");
            if (!c.channels().isEmpty()) {
                g.writeArrayFieldStart("channels");
                for (String channel : c.channels()) {
                    g.writeString(channel);
                }
                g.writeEndArray();
            }
            if (!token.isEmpty()) {
                g.writeFieldName("connection_token");
                writeToken(g, token);
            }
            if (!c.subscriptionTokens().isEmpty()) {
                g.writeObjectFieldStart("subscription_tokens");
                for (Map.Entry<String, ConnectionInfo.TokenInfo> e : c.subscriptionTokens().entrySet()) {
                    g.writeFieldName(e.getKey());
                    writeToken(g, e.getValue());
                }
                g.writeEndObject();
            }
            rawIfSet(g, "meta", c.meta());
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    /** {@code {id: {app_name, app_version, transport, protocol, token_uid, token_issued_at, meta}}} (seeds 001/002). */
    private static void writeFlatConnections(JsonGenerator g, Map<String, ConnectionInfo> connections)
            throws IOException {
        g.writeStartObject();
        for (ConnectionInfo c : connections.values()) {
            g.writeObjectFieldStart(c.client());
            writeIdentity(g, c);
            stringIfSet(g, "token_uid", c.tokenId());
            if (c.tokenIssuedAt() != 0) {
                g.writeNumberField("token_issued_at", c.tokenIssuedAt());
            }
            rawIfSet(g, "meta", c.meta());
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static void writeIdentity(JsonGenerator g, ConnectionInfo c) throws IOException {
        stringIfSet(g, "app_name", c.appName());
        stringIfSet(g, "app_version", c.appVersion());
        stringIfSet(g, "transport", c.transport());
        stringIfSet(g, "protocol", c.protocol());
    }

    private static void writeToken(JsonGenerator g, ConnectionInfo.TokenInfo token) throws IOException {
        g.writeStartObject();
        stringIfSet(g, "uid", token.uid());
        if (token.issuedAt() != 0) {
            g.writeNumberField("issued_at", token.issuedAt());
        }
        g.writeEndObject();
    }

    private static void stringIfSet(JsonGenerator g, String name, String value) throws IOException {
        if (value != null && !value.isEmpty()) {
            g.writeStringField(name, value);
        }
    }

    private static void rawIfSet(JsonGenerator g, String name, byte[] json) throws IOException {
        if (json != null && json.length > 0) {
            g.writeFieldName(name);
            writeRaw(g, json);
        }
    }

    private static void writeRaw(JsonGenerator g, byte[] json) throws IOException {
        if (json == null || json.length == 0) {
            g.writeNull();
        } else {
            g.writeRawValue(new String(json, StandardCharsets.UTF_8));
        }
    }
}
