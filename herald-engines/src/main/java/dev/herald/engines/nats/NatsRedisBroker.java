package dev.herald.engines.nats;

import dev.herald.core.channel.ChannelKey;
import dev.herald.core.engine.Broker;
import dev.herald.core.engine.BrokerEventHandler;
import dev.herald.core.engine.HistoryPage;
import dev.herald.core.engine.HistoryQuery;
import dev.herald.core.engine.PublishOptions;
import dev.herald.core.engine.PublishOutcome;
import dev.herald.engines.EngineCodec;
import dev.herald.engines.redis.RedisBroker;
import dev.herald.protocol.ClientInfo;
import dev.herald.protocol.Publication;
import dev.herald.protocol.StreamPosition;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * NATS carries the publications, Redis keeps the history: {@code broker.type: nats} with {@code engine.type: redis}
 * (the "history then comes from Redis when configured"; Centrifugo has this as its experimental
 * "redisnats" broker). A publication with history is first appended to the channel's Redis stream by the same
 * atomic script as {@link RedisBroker} (offset, epoch, trimming, idempotency; no Redis PUB/SUB), then sent over
 * NATS with the position the stream gave it, so subscribers are positioned and recover from Redis on any node.
 *
 * <p>Order: two nodes publishing into one channel at the same moment get consecutive offsets from Redis, but their
 * NATS messages are two senders' and may arrive swapped. A positioned subscriber then sees an offset that is not
 * the next one and is told (2500 / 3010): it recovers both from the stream, so nothing is lost, at the cost of a
 * resubscribe. One publisher per channel (the usual case: a backend publishing through one node) never sees it.
 * Without history, publications go over NATS only, at most once.
 */
public final class NatsRedisBroker implements Broker {
    private static final BrokerEventHandler NOTHING = new BrokerEventHandler() {
        @Override
        public void handlePublication(ChannelKey channel, Publication publication, StreamPosition position) {
        }

        @Override
        public void handleJoin(ChannelKey channel, ClientInfo info) {
        }

        @Override
        public void handleLeave(ChannelKey channel, ClientInfo info) {
        }
    };

    private final NatsBroker nats;
    private final RedisBroker redis;

    public NatsRedisBroker(NatsBroker nats, RedisBroker redis) {
        this.nats = nats;
        this.redis = redis;
    }

    @Override
    public void start(BrokerEventHandler handler) {
        // Redis is asked for streams only: nothing is ever subscribed on its PUB/SUB.
        redis.start(NOTHING);
        nats.start(handler);
    }

    @Override
    public CompletionStage<PublishOutcome> publish(ChannelKey channel, Publication publication,
                                                   PublishOptions options) {
        if (!options.withHistory()) {
            return nats.publish(channel, publication, options);
        }
        byte[] body = EngineCodec.encodePublication(publication);
        return redis.append(channel, body, options).thenCompose(appended -> {
            PublishOutcome outcome = appended.outcome();
            if (appended.duplicate() || outcome.position() == null) {
                return CompletableFuture.completedFuture(outcome);
            }
            return nats.publishAt(channel, body, outcome.position()).thenApply(v -> outcome);
        });
    }

    @Override
    public CompletionStage<Void> publishJoin(ChannelKey channel, ClientInfo info) {
        return nats.publishJoin(channel, info);
    }

    @Override
    public CompletionStage<Void> publishLeave(ChannelKey channel, ClientInfo info) {
        return nats.publishLeave(channel, info);
    }

    @Override
    public CompletionStage<Void> subscribe(ChannelKey channel) {
        return nats.subscribe(channel);
    }

    @Override
    public CompletionStage<Void> unsubscribe(ChannelKey channel) {
        return nats.unsubscribe(channel);
    }

    @Override
    public CompletionStage<HistoryPage> history(ChannelKey channel, HistoryQuery query) {
        return redis.history(channel, query);
    }

    @Override
    public CompletionStage<Void> removeHistory(ChannelKey channel) {
        return redis.removeHistory(channel);
    }

    @Override
    public void close() {
        nats.close();
        redis.close();
    }
}
