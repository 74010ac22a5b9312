package dev.herald.bench.load;

/** What a connection reports to its worker; called on the connection's event loop. */
interface ConnectionEvents {
    void wsOpen();

    /** The connect reply arrived, {@code micros} after the TCP connect started. */
    void connected(long micros);

    /** Every subscribe reply arrived (or there was nothing to subscribe to). */
    void ready(long micros);

    /** Ended before it was ready. */
    void failed(String reason);

    /** Ended after it was ready: the server disconnected it, or the socket broke. */
    void dropped(String reason);

    void delivery(long latencyMicros, boolean measured);

    void ping();

    void otherPush(String kind);
}
