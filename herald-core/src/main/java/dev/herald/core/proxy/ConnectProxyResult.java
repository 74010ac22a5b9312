package dev.herald.core.proxy;

import dev.herald.core.auth.SubscribeOptions;

import java.util.List;
import java.util.Map;

/**
 * The backend's answer: who the user is ({@code ""} = anonymous), until when the connection may live (Unix seconds,
 * 0 = forever), public {@code info}, {@code data} for the client, server-side subscriptions and private {@code meta}.
 * Byte fields are raw JSON or null.
 */
public record ConnectProxyResult(String user, long expireAt, byte[] info, byte[] data, List<String> channels,
                                 Map<String, SubscribeOptions> subs, byte[] meta) {
}
