package dev.herald.protocol;

import java.util.Map;

/** The request part of a client {@link Command}. Byte fields hold raw JSON on JSON connections. */
public sealed interface Request {

    record Connect(String token, byte[] data, Map<String, Subscribe> subs, String name, String version,
                   Map<String, String> headers) implements Request {
    }

    record Subscribe(String channel, String token, boolean recover, String epoch, long offset, byte[] data,
                     boolean positioned, boolean recoverable, boolean joinLeave, String delta) implements Request {
    }

    record Unsubscribe(String channel) implements Request {
    }

    record Publish(String channel, byte[] data) implements Request {
    }

    record Presence(String channel) implements Request {
    }

    record PresenceStats(String channel) implements Request {
    }

    record History(String channel, int limit, StreamPosition since, boolean reverse) implements Request {
    }

    record Ping() implements Request {
    }

    record Send(byte[] data) implements Request {
    }

    record Rpc(String method, byte[] data) implements Request {
    }

    record Refresh(String token) implements Request {
    }

    record SubRefresh(String channel, String token) implements Request {
    }
}
