package dev.herald.core.hub;

import dev.herald.core.channel.ChannelKey;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * What the hub tells the engine about channels: subscribe when this node gets a channel's first subscriber,
 * unsubscribe when it loses the last. The hub calls these outside its locks and never runs two of them
 * concurrently for one channel: each waits until the previous one for the same channel has completed.
 */
public interface BrokerSubscriptions {
    /** For a hub without an engine behind it (tests): every operation is done at once. */
    BrokerSubscriptions NONE = of(channel -> CompletableFuture.completedFuture(null),
            channel -> CompletableFuture.completedFuture(null));

    CompletionStage<Void> subscribe(ChannelKey channel);

    CompletionStage<Void> unsubscribe(ChannelKey channel);

    /** The two operations as functions, e.g. a broker's {@code subscribe} and {@code unsubscribe}. */
    static BrokerSubscriptions of(Function<ChannelKey, CompletionStage<Void>> subscribe,
                                  Function<ChannelKey, CompletionStage<Void>> unsubscribe) {
        return new BrokerSubscriptions() {
            @Override
            public CompletionStage<Void> subscribe(ChannelKey channel) {
                return subscribe.apply(channel);
            }

            @Override
            public CompletionStage<Void> unsubscribe(ChannelKey channel) {
                return unsubscribe.apply(channel);
            }
        };
    }
}
