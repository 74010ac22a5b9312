package dev.herald.server.api;

import dev.herald.core.api.ApiErrors;
import dev.herald.core.api.ApiRequest;
import dev.herald.core.auth.SubscribeOptions;
import dev.herald.core.codes.Disconnect;
import dev.herald.protocol.StreamPosition;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Turns a method name and its JSON params into an {@link ApiRequest}, with Centrifugo's field names. Unknown fields
 * are ignored; fields of the wrong type are refused. Stateless.
 */
final class ApiRequestDecoder {
    /** Methods served at {@code /api/<method>} and by name in the legacy form and in batches. */
    static final Set<String> METHODS = Set.of("batch", "publish", "broadcast", "subscribe", "unsubscribe",
            "disconnect", "presence", "presence_stats", "history", "history_remove", "channels", "info", "rpc",
            "refresh", "connections", "user_connections");

    /** The legacy API's numeric method enum (reference 4.1); index = number, null = unused. */
    private static final String[] LEGACY_NUMBERS = {"publish", "broadcast", "unsubscribe", "disconnect", "presence",
            "presence_stats", "history", "history_remove", "channels", "info", "rpc", "subscribe", "refresh", null,
            "connections"};

    private ApiRequestDecoder() {
    }

    /** The method a legacy {@code method} value names (case-insensitive name or enum number), or null. */
    static String legacyMethod(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return METHODS.contains(lower) ? lower : null;
    }

    static String legacyMethod(long number) {
        return number >= 0 && number < LEGACY_NUMBERS.length ? LEGACY_NUMBERS[(int) number] : null;
    }

    /**
     * Decodes the params of a known method.
     *
     * @throws BadJsonException when a field has the wrong type
     */
    static ApiRequest decode(String method, JsonFields p) throws BadJsonException {
        return switch (method) {
            case "publish" -> new ApiRequest.Publish(p.string("channel"), p.raw("data"), p.string("b64data"),
                    p.bool("skip_history"), p.stringMap("tags"), p.string("idempotency_key"));
            case "broadcast" -> new ApiRequest.Broadcast(p.strings("channels"), p.raw("data"), p.string("b64data"),
                    p.bool("skip_history"), p.stringMap("tags"), p.string("idempotency_key"));
            case "subscribe" -> new ApiRequest.Subscribe(p.string("user"), p.string("channel"), p.string("client"),
                    p.string("session"), p.raw("info"), p.string("b64info"), p.raw("data"), p.string("b64data"),
                    position(p.object("recover_since")), p.integer("expire_at"), override(p.object("override")));
            case "unsubscribe" -> new ApiRequest.Unsubscribe(p.string("user"), p.string("channel"),
                    p.string("client"), p.string("session"));
            case "disconnect" -> new ApiRequest.Disconnect(p.string("user"), p.string("client"), p.string("session"),
                    p.strings("whitelist"), disconnect(p.object("disconnect")));
            case "refresh" -> new ApiRequest.Refresh(p.string("user"), p.string("client"), p.string("session"),
                    p.bool("expired"), p.integer("expire_at"), p.raw("info"));
            case "presence" -> new ApiRequest.Presence(p.string("channel"));
            case "presence_stats" -> new ApiRequest.PresenceStats(p.string("channel"));
            case "history" -> new ApiRequest.History(p.string("channel"), p.int32("limit"),
                    position(p.object("since")), p.bool("reverse"));
            case "history_remove" -> new ApiRequest.HistoryRemove(p.string("channel"));
            case "channels" -> new ApiRequest.Channels(p.string("pattern"));
            case "info" -> new ApiRequest.Info();
            case "rpc" -> new ApiRequest.Rpc(p.string("method"), p.raw("params"));
            case "batch" -> new ApiRequest.Batch(commands(p.objects("commands")), p.bool("parallel"));
            case "connections" -> new ApiRequest.Connections(p.string("user"), p.string("expression"),
                    p.int32("limit"), p.string("cursor"));
            case "user_connections" -> new ApiRequest.UserConnections(p.string("user"));
            default -> new ApiRequest.Invalid(method, ApiErrors.NOT_FOUND);
        };
    }

    /**
     * Decodes the object in {@code container}'s field {@code method} (a batch command) or, for a legacy command,
     * its {@code params}; a type error becomes a 107 for this command alone.
     */
    static ApiRequest decodeOrInvalid(String method, JsonFields container) {
        return decodeOrInvalid(method, container, method);
    }

    static ApiRequest decodeOrInvalid(String method, JsonFields container, String paramsField) {
        try {
            JsonFields params = container.object(paramsField);
            return decode(method, params == null ? JsonFields.empty() : params);
        } catch (BadJsonException e) {
            return new ApiRequest.Invalid(method, ApiErrors.BAD_REQUEST);
        }
    }

    /** Batch commands: {@code {"publish": {...}}} each; an unknown key is 104, a null command 107. */
    private static List<ApiRequest> commands(List<JsonFields> commands) {
        List<ApiRequest> out = new ArrayList<>(commands.size());
        for (JsonFields command : commands) {
            if (command == null) {
                out.add(new ApiRequest.Invalid("unknown", ApiErrors.BAD_REQUEST));
                continue;
            }
            String method = null;
            for (String name : command.names()) {
                if (METHODS.contains(name) && !name.equals("batch") && command.has(name)) {
                    method = name;
                    break;
                }
            }
            if (method == null) {
                out.add(new ApiRequest.Invalid("unknown", ApiErrors.NOT_FOUND));
            } else {
                out.add(decodeOrInvalid(method, command));
            }
        }
        return out;
    }

    private static StreamPosition position(JsonFields p) throws BadJsonException {
        return p == null ? null : new StreamPosition(p.integer("offset"), p.string("epoch"));
    }

    /** {@code {"presence": {"value": true}, ...}}: protobuf BoolValue wrappers; an absent one is not overridden. */
    private static SubscribeOptions.Override override(JsonFields p) throws BadJsonException {
        if (p == null) {
            return null;
        }
        return new SubscribeOptions.Override(boolValue(p, "presence"), boolValue(p, "join_leave"),
                boolValue(p, "force_recovery"), boolValue(p, "force_positioning"),
                boolValue(p, "force_push_join_leave"));
    }

    private static Boolean boolValue(JsonFields p, String name) throws BadJsonException {
        JsonFields wrapper = p.object(name);
        return wrapper == null ? null : wrapper.bool("value");
    }

    private static Disconnect disconnect(JsonFields p) throws BadJsonException {
        if (p == null) {
            return null;
        }
        long code = p.integer("code");
        if (code < 0 || code > 0xFFFF) {
            throw BadJsonException.type("disconnect.code", "a close code");
        }
        return new Disconnect((int) code, p.string("reason"));
    }
}
