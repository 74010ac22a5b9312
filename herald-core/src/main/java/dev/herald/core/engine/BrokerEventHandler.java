package dev.herald.core.engine;

import dev.herald.core.channel.ChannelKey;
import dev.herald.protocol.ClientInfo;
import dev.herald.protocol.Publication;
import dev.herald.protocol.StreamPosition;

/** Receives what a {@link Broker} delivers to this node. Implementations must not block. */
public interface BrokerEventHandler {

    /** {@code position} is the stream position after this publication, or null for channels without history. */
    void handlePublication(ChannelKey channel, Publication publication, StreamPosition position);

    void handleJoin(ChannelKey channel, ClientInfo info);

    void handleLeave(ChannelKey channel, ClientInfo info);

    /**
     * This node's subscription to the channel was interrupted and is back (a cluster engine lost its pub/sub
     * connection and resubscribed): publications sent meanwhile never reached this node. The node checks at once
     * the position of every positioned subscriber, so a client that missed something is told (unsubscribe 2500 or
     * disconnect 3010) and recovers, instead of waiting for the next periodic check. Called on the broker's threads,
     * after the resubscription is confirmed; must not block.
     */
    default void handleInterrupted(ChannelKey channel) {
    }
}
