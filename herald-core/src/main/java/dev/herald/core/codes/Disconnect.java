package dev.herald.core.codes;

/**
 * Why the server closes a connection: Centrifugo's v2 disconnect code and a short reason. Bidirectional WebSocket
 * puts both in the close frame; other transports send a disconnect push first.
 */
public record Disconnect(int code, String reason) {
    public static final Disconnect SHUTDOWN = new Disconnect(3001, "shutdown");
    public static final Disconnect INTERNAL = new Disconnect(3004, "internal server error");
    public static final Disconnect EXPIRED = new Disconnect(3005, "connection expired");
    public static final Disconnect SUBSCRIPTION_EXPIRED = new Disconnect(3006, "subscription expired");
    public static final Disconnect SLOW = new Disconnect(3008, "slow");
    public static final Disconnect WRITE_ERROR = new Disconnect(3009, "write error");
    public static final Disconnect INSUFFICIENT_STATE = new Disconnect(3010, "insufficient state");
    public static final Disconnect FORCE_RECONNECT = new Disconnect(3011, "force reconnect");
    public static final Disconnect NO_PONG = new Disconnect(3012, "no pong");
    public static final Disconnect TOO_MANY_REQUESTS = new Disconnect(3013, "too many requests");
    public static final Disconnect INVALID_TOKEN = new Disconnect(3500, "invalid token");
    public static final Disconnect BAD_REQUEST = new Disconnect(3501, "bad request");
    public static final Disconnect STALE = new Disconnect(3502, "stale");
    public static final Disconnect FORCE_DISCONNECT = new Disconnect(3503, "force disconnect");
    public static final Disconnect CONNECTION_LIMIT = new Disconnect(3504, "connection limit");
    public static final Disconnect CHANNEL_LIMIT = new Disconnect(3505, "channel limit");
    public static final Disconnect INAPPROPRIATE_PROTOCOL = new Disconnect(3506, "inappropriate protocol");
    public static final Disconnect PERMISSION_DENIED = new Disconnect(3507, "permission denied");
    public static final Disconnect NOT_AVAILABLE = new Disconnect(3508, "not available");
    public static final Disconnect TOO_MANY_ERRORS = new Disconnect(3509, "too many errors");
    /** Marker for a connection closed by the client or the network; never sent. */
    public static final Disconnect CONNECTION_CLOSED = new Disconnect(3000, "connection closed");

    /** Protocol v2 reconnect advice, derived from the code range. */
    public boolean reconnect() {
        return code < 3500 || (code >= 4000 && code < 4500) || code >= 5000;
    }
}
