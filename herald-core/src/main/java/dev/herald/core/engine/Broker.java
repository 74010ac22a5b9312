package dev.herald.core.engine;

import dev.herald.core.channel.ChannelKey;
import dev.herald.protocol.ClientInfo;
import dev.herald.protocol.Publication;

import java.util.concurrent.CompletionStage;

/**
 * Pub/sub between nodes plus channel history streams. The in-memory broker hands publications straight back to
 * this node; Redis and NATS brokers deliver them to every node. Implementations call the {@link BrokerEventHandler}
 * given to {@link #start} from their own threads, in publication order per channel. Channels are scoped by app
 * ({@link ChannelKey}): two apps' channels of the same name are different streams.
 */
public interface Broker {

    void start(BrokerEventHandler handler);

    /** Publishes; with history options set, appends to the channel's stream and returns the new top position. */
    CompletionStage<PublishOutcome> publish(ChannelKey channel, Publication publication, PublishOptions options);

    CompletionStage<Void> publishJoin(ChannelKey channel, ClientInfo info);

    CompletionStage<Void> publishLeave(ChannelKey channel, ClientInfo info);

    /** Called when this node gets its first subscriber of the channel. */
    CompletionStage<Void> subscribe(ChannelKey channel);

    /** Called when this node loses its last subscriber of the channel. */
    CompletionStage<Void> unsubscribe(ChannelKey channel);

    CompletionStage<HistoryPage> history(ChannelKey channel, HistoryQuery query);

    /** Drops the stored publications but keeps the stream position (offset and epoch). */
    CompletionStage<Void> removeHistory(ChannelKey channel);

    default void close() {
    }
}
