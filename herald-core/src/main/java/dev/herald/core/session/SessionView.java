package dev.herald.core.session;

import java.util.Map;

/**
 * A connection as the sessions API ({@code connections}, {@code user_connections}, {@code getUserConnections})
 * and its CEL filter read it, whatever protocol it speaks. Every method is safe from any thread: implementations
 * publish immutable values (volatile fields replaced, never mutated in place).
 */
public interface SessionView {

    /** The client id, unique on this node. */
    String id();

    /** The app (tenant) the connection belongs to. */
    String app();

    /** The user id; empty for anonymous connections. */
    String user();

    /** Client library name and version as the client reported them; empty when not. */
    String appName();

    String appVersion();

    /** Transport name as Centrifugo reports it ({@code websocket}, {@code sse}, ...). */
    String transportName();

    /** Wire protocol name ({@code json}, {@code protobuf}). */
    String protocolName();

    /** Epoch millis of the moment the connection was accepted; 0 while connecting. */
    long connectedAtMillis();

    /** {@code jti} of the connection token, or null. */
    String tokenId();

    long tokenIssuedAt();

    /** Private meta (raw JSON), or null. Shown to the server API only, never to any client. */
    byte[] meta();

    /** Subscriptions by channel name; an immutable snapshot. */
    Map<String, ? extends SubscriptionView> subscriptions();

    /** True once connected and until closed: only such sessions are listed. */
    boolean connected();

    /** Scratch slot for the CEL filter's parsed {@link #meta()} (kept per connection), or null. */
    Object parsedMeta();

    void parsedMeta(Object value);
}
