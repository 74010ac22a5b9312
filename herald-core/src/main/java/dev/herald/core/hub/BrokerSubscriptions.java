package dev.herald.core.hub;

import dev.herald.core.channel.ChannelKey;

import java.util.concurrent.CompletionStage;

/**
 * What the hub tells the engine about channels: subscribe when this node gets a channel's first subscriber,
 * unsubscribe when it loses the last. The hub calls these outside its locks and never runs two of them
 * concurrently for one channel: each waits until the previous one for the same channel has completed.
 */
public interface BrokerSubscriptions {
    BrokerSubscriptions NONE = new BrokerSubscriptions() {
        @Override
        public CompletionStage<Void> subscribe(ChannelKey channel) {
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> unsubscribe(ChannelKey channel) {
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }
    };

    CompletionStage<Void> subscribe(ChannelKey channel);

    CompletionStage<Void> unsubscribe(ChannelKey channel);
}
