package dev.herald.core.telemetry;

/**
 * Counters the node reports as it works; the server binds them to Prometheus. Implementations must be cheap and
 * thread-safe: they are called on hot paths (every command, every fan-out batch).
 */
public interface Telemetry {
    Telemetry NOOP = new Telemetry() {
    };

    /** A client command finished; {@code method} is the command name ({@code connect}, {@code publish}, ...). */
    default void commandHandled(String method, long nanos) {
    }

    /** {@code count} messages of a kind ({@code publication}, {@code join}, {@code leave}) were queued to clients. */
    default void messagesSent(String type, int count) {
    }

    /** A server API call finished. */
    default void apiCall(String method, long nanos, boolean error) {
    }

    /** A connection closed with this code. */
    default void disconnected(int code) {
    }
}
