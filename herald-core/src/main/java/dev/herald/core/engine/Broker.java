package dev.herald.core.engine;

import dev.herald.protocol.ClientInfo;
import dev.herald.protocol.Publication;

import java.util.concurrent.CompletionStage;

/**
 * Pub/sub between nodes plus channel history streams. The in-memory broker hands publications straight back to
 * this node; Redis and NATS brokers deliver them to every node. Implementations call the {@link BrokerEventHandler}
 * given to {@link #start} from their own threads, in publication order per channel.
 */
public interface Broker {

    void start(BrokerEventHandler handler);

    /** Publishes; with history options set, appends to the channel's stream and returns the new top position. */
    CompletionStage<PublishOutcome> publish(String channel, Publication publication, PublishOptions options);

    CompletionStage<Void> publishJoin(String channel, ClientInfo info);

    CompletionStage<Void> publishLeave(String channel, ClientInfo info);

    /** Called when this node gets its first subscriber of the channel. */
    CompletionStage<Void> subscribe(String channel);

    /** Called when this node loses its last subscriber of the channel. */
    CompletionStage<Void> unsubscribe(String channel);

    CompletionStage<HistoryPage> history(String channel, HistoryQuery query);

    /** Drops the stored publications but keeps the stream position (offset and epoch). */
    CompletionStage<Void> removeHistory(String channel);

    default void close() {
    }
}
