package dev.herald.core.client;

import dev.herald.core.engine.HistoryPage;
import dev.herald.core.engine.PublishOutcome;
import dev.herald.protocol.ClientInfo;
import dev.herald.protocol.StreamPosition;

import java.util.concurrent.CompletionStage;

/**
 * Publishing into a channel and reading its history as the node does it for the server API too (the channel's
 * namespace options decide history size, TTL and whether there is any), so a client publish and an API publish
 * take one path. The node provides it; the client package knows only this interface.
 */
public interface ChannelStreams {
    /** Publishes a client's publication ({@code info} is the publisher), into history where the namespace keeps it. */
    CompletionStage<PublishOutcome> publish(String channel, byte[] data, ClientInfo info);

    /** Reads a channel's history; a {@code since} from another epoch fails with 112, a channel without history with 108. */
    CompletionStage<HistoryPage> history(String channel, StreamPosition since, int limit, boolean reverse);
}
