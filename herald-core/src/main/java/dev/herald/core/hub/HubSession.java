package dev.herald.core.hub;

import dev.herald.core.codes.Disconnect;
import dev.herald.core.session.SessionView;

import java.util.concurrent.Executor;

/**
 * A connection as the hub knows it, whatever protocol it speaks: indexed by client id, session id and (app, user),
 * written to in delivery batches on its own executor, and closable from any thread.
 */
public interface HubSession extends SessionView {

    /** Session id for unidirectional and emulation transports; empty for the others. */
    String sessionId();

    /** The single thread that owns the connection; deliveries and flushes run there. */
    Executor executor();

    /** How publications reach this connection. Fixed for the connection's lifetime. */
    WireFormat wireFormat();

    /** Marks the session as touched by the current delivery batch; true if it was not yet. Executor thread. */
    boolean markDirty();

    /** Flushes what a delivery batch wrote. Executor thread. */
    void flushBatch();

    /** Closes with the given reason; any thread. The session leaves the hub before this returns. */
    void close(Disconnect disconnect);
}
