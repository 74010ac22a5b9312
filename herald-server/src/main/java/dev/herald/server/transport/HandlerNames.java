package dev.herald.server.transport;

/**
 * Names of the pipeline's handlers, so that {@link PipelineBuilder} can find, replace and remove them when it
 * reshapes a connection (its class comment shows which names each stage has, in order).
 */
public final class HandlerNames {
    public static final String HTTP_CODEC = "http-codec";
    public static final String HTTP_AGGREGATOR = "http-aggregator";
    public static final String HTTP_ROUTER = "http-router";
    /** A WebSocket connection of any endpoint: frame reader, session and transport, alone in its pipeline. */
    public static final String WS_CONNECTION = "ws-connection";
    public static final String STREAM_CONNECTION = "stream-connection";

    private HandlerNames() {
    }
}
