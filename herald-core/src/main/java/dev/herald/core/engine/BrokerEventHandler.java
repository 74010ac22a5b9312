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
}
