package dev.herald.protocol;

/**
 * An asynchronous server-to-client message. Bidirectional transports wrap it as {@code {"push":{...}}};
 * unidirectional ones write the bare push. {@code channel} may be empty (connect, disconnect, refresh, message).
 */
public record Push(String channel, PushBody body) {
}
