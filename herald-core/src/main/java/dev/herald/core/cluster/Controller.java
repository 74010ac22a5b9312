package dev.herald.core.cluster;

import java.util.concurrent.CompletionStage;

/**
 * The engine SPI for node-to-node control traffic: moves encoded control messages between the nodes of one
 * cluster, and nothing more. Heartbeats, the node registry, surveys and the codec are built once on top of it by
 * {@link Cluster}, so an engine (Redis, NATS, the in-memory bus) implements only these four methods.
 *
 * <p>Delivery is best effort and unconfirmed, as with Redis or NATS pub/sub: a message to a node that is gone is
 * lost without an error, and surveys notice missing nodes by their timeout. Messages from one sender to one
 * receiver must arrive in the order they were sent. The returned stages complete when the engine has handed the
 * message on (e.g. Redis accepted the PUBLISH), and fail when it could not (e.g. Redis unreachable).
 *
 * <p>Threading: every method may be called from any thread and must not block. The receiver is called on the
 * engine's own threads (for the in-memory bus, the bus's delivery thread), never concurrently for one node, and
 * must not block either; it hands work off.
 */
public interface Controller extends AutoCloseable {

    /**
     * Starts receiving: from now on every message broadcast by another node, or sent to {@code nodeId}, is given
     * to {@code receiver}. Called once, before any send.
     */
    void start(String nodeId, Receiver receiver);

    /**
     * Sends to every other node of the cluster. An engine whose transport loops a broadcast back to its sender
     * (a Redis subscriber of its own channel) may deliver it to this node too: {@link Cluster} drops it.
     */
    CompletionStage<Void> broadcast(byte[] message);

    /** Sends to one node; a node that is not there never gets it. */
    CompletionStage<Void> send(String nodeId, byte[] message);

    /** Stops receiving and releases the engine's resources; sends after this fail or are dropped. */
    @Override
    void close();

    /** Where an engine hands each received message, still encoded. */
    @FunctionalInterface
    interface Receiver {
        void receive(byte[] message);
    }
}
