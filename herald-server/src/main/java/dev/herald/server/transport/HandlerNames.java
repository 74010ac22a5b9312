package dev.herald.server.transport;

/** Names of the pipeline stages, so handlers can find, replace and remove each other. */
public final class HandlerNames {
    public static final String HTTP_CODEC = "http-codec";
    public static final String HTTP_AGGREGATOR = "http-aggregator";
    public static final String HTTP_ROUTER = "http-router";
    public static final String WS_CONNECTION = "ws-connection";
    public static final String STREAM_CONNECTION = "stream-connection";

    private HandlerNames() {
    }
}
