package dev.herald.core.auth;

/**
 * The verified claims of a subscription JWT. Times are Unix seconds, 0 when absent. {@code client} is empty
 * when the claim is absent. {@code info}/{@code data} are raw JSON (or decoded base64) bytes, or null.
 */
public record SubscribeToken(String user, String channel, String client, long expireAt, long issuedAt, String id,
                             byte[] info, byte[] data, SubscribeOptions.Override override) {
}
