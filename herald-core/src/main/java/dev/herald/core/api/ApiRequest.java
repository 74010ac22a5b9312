package dev.herald.core.api;

import dev.herald.core.auth.SubscribeOptions;
import dev.herald.protocol.ReplyError;
import dev.herald.protocol.StreamPosition;

import java.util.List;
import java.util.Map;

/**
 * One server API call with its params, as every binding (HTTP, gRPC, admin UI, Pusher edge) hands it to the
 * {@link ApiExecutor}. Field names follow Centrifugo's {@code api.proto}; an absent string is {@code ""}, an absent
 * payload is null. {@code data}/{@code info} hold raw JSON bytes; {@code b64*} fields hold base64 text that the
 * executor decodes (a bad one is error 107, as in Centrifugo).
 */
public sealed interface ApiRequest {

    /** The method name as the server API spells it ({@code publish}, {@code presence_stats}, ...). */
    String apiMethod();

    record Publish(String channel, byte[] data, String b64data, boolean skipHistory, Map<String, String> tags,
                   String idempotencyKey) implements ApiRequest {
        @Override
        public String apiMethod() {
            return "publish";
        }
    }

    record Broadcast(List<String> channels, byte[] data, String b64data, boolean skipHistory,
                     Map<String, String> tags, String idempotencyKey) implements ApiRequest {
        @Override
        public String apiMethod() {
            return "broadcast";
        }
    }

    /**
     * {@code recoverSince} may be null; {@code expireAt} is Unix seconds, 0 = never; {@code override} may be null
     * (its null fields keep the namespace's options).
     */
    record Subscribe(String user, String channel, String client, String session, byte[] info, String b64info,
                     byte[] data, String b64data, StreamPosition recoverSince, long expireAt,
                     SubscribeOptions.Override override) implements ApiRequest {
        @Override
        public String apiMethod() {
            return "subscribe";
        }
    }

    record Unsubscribe(String user, String channel, String client, String session) implements ApiRequest {
        @Override
        public String apiMethod() {
            return "unsubscribe";
        }
    }

    /** {@code disconnect} null = the default 3503 "force disconnect". */
    record Disconnect(String user, String client, String session, List<String> whitelist,
                      dev.herald.core.codes.Disconnect disconnect) implements ApiRequest {
        @Override
        public String apiMethod() {
            return "disconnect";
        }
    }

    /** {@code expireAt} is Unix seconds, 0 = never; {@code info} null keeps the current info. */
    record Refresh(String user, String client, String session, boolean expired, long expireAt, byte[] info)
            implements ApiRequest {
        @Override
        public String apiMethod() {
            return "refresh";
        }
    }

    record Presence(String channel) implements ApiRequest {
        @Override
        public String apiMethod() {
            return "presence";
        }
    }

    record PresenceStats(String channel) implements ApiRequest {
        @Override
        public String apiMethod() {
            return "presence_stats";
        }
    }

    /** {@code limit}: 0 = stream position only, negative = the whole stream. {@code since} may be null. */
    record History(String channel, int limit, StreamPosition since, boolean reverse) implements ApiRequest {
        @Override
        public String apiMethod() {
            return "history";
        }
    }

    record HistoryRemove(String channel) implements ApiRequest {
        @Override
        public String apiMethod() {
            return "history_remove";
        }
    }

    /** {@code pattern}: a glob ({@code *}, {@code ?}, {@code [a-z]}, {@code [!x]}, <code>{a,b}</code>); empty = all. */
    record Channels(String pattern) implements ApiRequest {
        @Override
        public String apiMethod() {
            return "channels";
        }
    }

    record Info() implements ApiRequest {
        @Override
        public String apiMethod() {
            return "info";
        }
    }

    /** {@code params} is raw JSON or null. */
    record Rpc(String method, byte[] params) implements ApiRequest {
        @Override
        public String apiMethod() {
            return "rpc";
        }
    }

    record Batch(List<ApiRequest> commands, boolean parallel) implements ApiRequest {
        @Override
        public String apiMethod() {
            return "batch";
        }
    }

    /**
     * Sessions listing (Centrifugo PRO {@code connections}). {@code limit} 0 = no paging; {@code cursor} is the
     * opaque {@code next_cursor} of a previous page, or empty.
     */
    record Connections(String user, String expression, int limit, String cursor) implements ApiRequest {
        @Override
        public String apiMethod() {
            return "connections";
        }
    }

    /** The v3 PRO form of the sessions listing, with its flat result. */
    record UserConnections(String user) implements ApiRequest {
        @Override
        public String apiMethod() {
            return "user_connections";
        }
    }

    /**
     * A command a binding could not turn into a request (unknown method, malformed params inside a batch or a
     * legacy multi-command body): executing it yields {@code error}, so the other commands still run.
     */
    record Invalid(String apiMethod, ReplyError error) implements ApiRequest {
    }
}
