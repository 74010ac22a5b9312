package dev.herald.engines.redis;

import dev.herald.core.channel.ChannelKey;
import dev.herald.core.engine.Broker;
import dev.herald.core.engine.BrokerEventHandler;
import dev.herald.core.engine.HistoryPage;
import dev.herald.core.engine.HistoryQuery;
import dev.herald.core.engine.PublishOptions;
import dev.herald.core.engine.PublishOutcome;
import dev.herald.engines.EngineCodec;
import dev.herald.engines.EngineNames;
import dev.herald.protocol.ClientInfo;
import dev.herald.protocol.Publication;
import dev.herald.protocol.StreamPosition;
import io.lettuce.core.api.async.RedisAsyncCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * A {@link Broker} over Redis, with Centrifugo's layout ({@link EngineNames}; prefix {@code p}, channel {@code ch}):
 * <ul>
 *   <li>PUB/SUB {@code p.client.ch}: one PUBLISH per publication, join or leave, whatever the number of nodes, as an
 *       {@link EngineCodec} broker message whose header carries the offset and epoch;</li>
 *   <li>stream {@code p.stream.ch}: the history, one entry per publication with id {@code <offset>-0} and field
 *       {@code d} = the encoded publication; trimmed to the history size on every append and expiring the history
 *       TTL after the last publish (as Centrifugo: the whole stream expires, not each entry);</li>
 *   <li>hash {@code p.stream.meta.ch}: field {@code s} the top offset, {@code e} the epoch; expires the history meta
 *       TTL after the last publish or read (0 = never). A lost meta hash means a new epoch, and the old entries go;</li>
 *   <li>{@code p.result.ch.<key>}: a publish's idempotency result {@code <offset>:<epoch>}, kept
 *       {@link RedisBrokerOptions#idempotentResultTtl()}.</li>
 * </ul>
 * Another app's names are rooted at {@code p.app.<app>}. A channel lives on shard
 * {@code shards.forKey(EngineNames.shardKey(channel))}, the same on every node.
 *
 * <p>A publish with history is one Lua script: the idempotency check, the epoch, the offset increment, the append,
 * the trim, the expiries, the PUBLISH and the idempotency result happen atomically, so offsets are gap-free and
 * ordered across nodes and PUB/SUB delivers them in offset order.
 *
 * <p>Threads: every Redis call is asynchronous and fails within the I/O timeout, at once while a shard is down
 * (the shards reject commands when disconnected). Completions run on Lettuce's threads; received messages go
 * straight to {@link DeliveryWorkers}, whose threads call the handler, in arrival order per channel.
 */
public final class RedisBroker implements Broker {
    private static final Logger log = LoggerFactory.getLogger(RedisBroker.class);
    private static final char[] EPOCH_CHARS =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();
    private static final LuaScript PUBLISH = LuaScript.load("publish");
    private static final LuaScript PUBLISH_ONCE = LuaScript.load("publish_once");
    private static final LuaScript HISTORY = LuaScript.load("history");

    private final RedisShards shards;
    private final EngineNames names;
    private final RedisBrokerOptions options;
    private final DeliveryWorkers workers;
    private final List<ShardSubscriber> subscribers;
    private final String clientPrefix;
    private final String appPrefix;
    private volatile BrokerEventHandler handler;

    public RedisBroker(RedisShards shards, RedisBrokerOptions options) {
        this.shards = shards;
        this.names = new EngineNames(shards.prefix());
        this.options = options;
        this.workers = new DeliveryWorkers("herald-redis-broker", options.workers(), options.workerQueueSize(),
                new Sink());
        List<ShardSubscriber> list = new ArrayList<>();
        for (RedisShard shard : shards.all()) {
            list.add(new ShardSubscriber(shard, workers));
        }
        this.subscribers = List.copyOf(list);
        this.clientPrefix = names.root("") + ".client.";
        this.appPrefix = names.root("") + ".app.";
    }

    /**
     * Connects every shard's command and pub/sub connections; blocks (server start-up only) and throws an
     * {@link IllegalStateException} naming the address when a shard cannot be reached.
     */
    @Override
    public void start(BrokerEventHandler handler) {
        this.handler = handler;
        for (int i = 0; i < subscribers.size(); i++) {
            RedisShard shard = shards.all().get(i);
            ShardSubscriber subscriber = subscribers.get(i);
            try {
                shard.connect();
                subscriber.connect();
            } catch (RuntimeException e) {
                close();
                throw new IllegalStateException("redis broker: cannot connect to Redis at " + subscriber.address()
                        + ": " + e.getMessage(), e);
            }
        }
        workers.start();
    }

    @Override
    public CompletionStage<PublishOutcome> publish(ChannelKey channel, Publication publication,
                                                   PublishOptions publishOptions) {
        return call(() -> {
            RedisAsyncCommands<byte[], byte[]> redis = shard(channel).commands().async();
            byte[] body = EngineCodec.encodePublication(publication);
            byte[] pubsub = bytes(names.name(channel, "client"));
            String key = publishOptions.idempotencyKey();
            byte[] resultKey = key == null || key.isEmpty() ? null
                    : bytes(names.name(channel, "result") + "." + key);
            byte[] resultTtl = number(options.idempotentResultTtl().toMillis());
            if (!publishOptions.withHistory()) {
                byte[] message = EngineCodec.message(EngineCodec.PUBLICATION, body);
                if (resultKey == null) {
                    return redis.publish(pubsub, message).toCompletableFuture().thenApply(n -> PublishOutcome.NONE);
                }
                return PUBLISH_ONCE.run(redis, new byte[][]{resultKey}, pubsub, message, resultTtl)
                        .thenApply(r -> PublishOutcome.NONE);
            }
            byte[][] keys = resultKey == null
                    ? new byte[][]{bytes(names.name(channel, "stream")), bytes(names.name(channel, "stream.meta"))}
                    : new byte[][]{bytes(names.name(channel, "stream")), bytes(names.name(channel, "stream.meta")),
                    resultKey};
            return PUBLISH.run(redis, keys, pubsub, body, number(publishOptions.historySize()),
                    number(publishOptions.historyTtl().toMillis()),
                    number(publishOptions.historyMetaTtl() == null ? 0 : publishOptions.historyMetaTtl().toMillis()),
                    bytes(newEpoch()), resultTtl, new byte[]{EngineCodec.PUBLICATION}).thenApply(RedisBroker::outcome);
        });
    }

    /** What {@link #append} stored: the publication's position, and whether an earlier publish had the key. */
    public record Appended(PublishOutcome outcome, boolean duplicate) {
    }

    /**
     * Appends to the channel's stream without publishing on Redis PUB/SUB (the same script as {@link #publish},
     * idempotency included), for a broker that delivers another way (NATS) with the position this returns. The
     * publication body is the one {@code message} carries, so the caller sends exactly what was stored.
     */
    public CompletionStage<Appended> append(ChannelKey channel, byte[] body, PublishOptions publishOptions) {
        return call(() -> {
            RedisAsyncCommands<byte[], byte[]> redis = shard(channel).commands().async();
            String key = publishOptions.idempotencyKey();
            byte[][] keys = key == null || key.isEmpty()
                    ? new byte[][]{bytes(names.name(channel, "stream")), bytes(names.name(channel, "stream.meta"))}
                    : new byte[][]{bytes(names.name(channel, "stream")), bytes(names.name(channel, "stream.meta")),
                    bytes(names.name(channel, "result") + "." + key)};
            return PUBLISH.run(redis, keys, new byte[0], body, number(publishOptions.historySize()),
                    number(publishOptions.historyTtl().toMillis()),
                    number(publishOptions.historyMetaTtl() == null ? 0 : publishOptions.historyMetaTtl().toMillis()),
                    bytes(newEpoch()), number(options.idempotentResultTtl().toMillis()),
                    new byte[]{EngineCodec.PUBLICATION})
                    .thenApply(reply -> new Appended(outcome(reply), ((Long) reply.get(2)) == 1));
        });
    }

    @Override
    public CompletionStage<Void> publishJoin(ChannelKey channel, ClientInfo info) {
        return publishInfo(channel, EngineCodec.JOIN, info);
    }

    @Override
    public CompletionStage<Void> publishLeave(ChannelKey channel, ClientInfo info) {
        return publishInfo(channel, EngineCodec.LEAVE, info);
    }

    private CompletionStage<Void> publishInfo(ChannelKey channel, byte kind, ClientInfo info) {
        return call(() -> shard(channel).commands().async()
                .publish(bytes(names.name(channel, "client")), EngineCodec.message(kind, EngineCodec.encodeInfo(info)))
                .toCompletableFuture().thenApply(n -> null));
    }

    @Override
    public CompletionStage<Void> subscribe(ChannelKey channel) {
        return call(() -> subscriber(channel).subscribe(names.name(channel, "client")));
    }

    @Override
    public CompletionStage<Void> unsubscribe(ChannelKey channel) {
        return call(() -> subscriber(channel).unsubscribe(names.name(channel, "client")));
    }

    /**
     * Position and publications in one script, with MemoryBroker's semantics: forward from {@code since + 1} or the
     * start, reverse from {@code since - 1} or the end, {@code limit} 0 = position only, negative = all.
     */
    @Override
    public CompletionStage<HistoryPage> history(ChannelKey channel, HistoryQuery query) {
        return call(() -> {
            int limit = query.limit();
            String from = "";
            if (query.since() != null) {
                long bound = query.reverse() ? query.since().offset() - 1 : query.since().offset() + 1;
                if (bound < 1) {
                    limit = 0; // nothing precedes offset 1
                } else {
                    from = Long.toString(bound);
                }
            }
            byte[][] keys = {bytes(names.name(channel, "stream")), bytes(names.name(channel, "stream.meta"))};
            long metaTtl = query.metaTtl() == null ? 0 : query.metaTtl().toMillis();
            return HISTORY.run(shard(channel).commands().async(), keys, bytes(newEpoch()), number(metaTtl),
                    number(limit), bytes(query.reverse() ? "1" : "0"), bytes(from)).thenApply(RedisBroker::page);
        });
    }

    @Override
    public CompletionStage<Void> removeHistory(ChannelKey channel) {
        return call(() -> shard(channel).commands().async().del(bytes(names.name(channel, "stream")))
                .toCompletableFuture().thenApply(n -> null));
    }

    /** True when every shard's command and pub/sub connection is up and resubscribed (for /health). */
    public boolean healthy() {
        if (!shards.healthy()) {
            return false;
        }
        for (ShardSubscriber subscriber : subscribers) {
            if (!subscriber.healthy()) {
                return false;
            }
        }
        return true;
    }

    /** Closes the pub/sub connections and stops the workers; the shards belong to their owner. */
    @Override
    public void close() {
        for (ShardSubscriber subscriber : subscribers) {
            subscriber.close();
        }
        workers.close();
    }

    /** The PUB/SUB channels this node subscribes on shard {@code index}; for tests. */
    Set<String> subscribedOn(int index) {
        return subscribers.get(index).wanted();
    }

    private RedisShard shard(ChannelKey channel) {
        return shards.forKey(EngineNames.shardKey(channel));
    }

    private ShardSubscriber subscriber(ChannelKey channel) {
        return subscribers.get(shard(channel).index());
    }

    /** Runs a Redis call, turning a synchronous failure (not connected, bad name) into a failed stage. */
    private static <T> CompletionStage<T> call(Supplier<CompletionStage<T>> redisCall) {
        try {
            return redisCall.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static PublishOutcome outcome(List<Object> reply) {
        long offset = (Long) reply.get(0);
        // An offset of 0 is the result of an earlier publish of this key without history.
        return offset == 0 ? PublishOutcome.NONE
                : new PublishOutcome(new StreamPosition(offset, text(reply.get(1))));
    }

    private static HistoryPage page(List<Object> reply) {
        StreamPosition top = new StreamPosition((Long) reply.get(0), text(reply.get(1)));
        List<Publication> publications = new ArrayList<>((reply.size() - 2) / 2);
        for (int i = 2; i + 1 < reply.size(); i += 2) {
            String id = text(reply.get(i));
            long offset = Long.parseLong(id.substring(0, id.indexOf('-')));
            byte[] body = (byte[]) reply.get(i + 1);
            publications.add(EngineCodec.decodePublication(body, 0, body.length).withOffset(offset));
        }
        return new HistoryPage(publications, top);
    }

    /** The channel of a PUB/SUB name this broker subscribes, or null for a name it never made. */
    ChannelKey channelOf(String pubsub) {
        if (pubsub.startsWith(clientPrefix)) {
            return ChannelKey.of(pubsub.substring(clientPrefix.length()));
        }
        if (pubsub.startsWith(appPrefix)) {
            // <prefix>.app.<app>.client.<name>: an app id has no dot, so the first dot ends it.
            int dot = pubsub.indexOf('.', appPrefix.length());
            if (dot > 0 && pubsub.startsWith(".client.", dot)) {
                return new ChannelKey(pubsub.substring(appPrefix.length(), dot),
                        pubsub.substring(dot + ".client.".length()));
            }
        }
        return null;
    }

    /**
     * The epoch a stream gets if it has none (the script ignores it otherwise). It only has to differ from the
     * stream's earlier lives, it is no secret: a thread-local generator, not a shared, locked SecureRandom, on
     * every publish with history.
     */
    private static String newEpoch() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] chars = new char[8];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = EPOCH_CHARS[random.nextInt(EPOCH_CHARS.length)];
        }
        return new String(chars);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] number(long n) {
        return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
    }

    private static String text(Object bulk) {
        return new String((byte[]) bulk, StandardCharsets.UTF_8);
    }

    /** Decodes on a worker thread and calls the node's handler there, in arrival order per channel. */
    private final class Sink implements DeliveryWorkers.Sink {
        @Override
        public void deliver(String pubsub, byte[] message) {
            ChannelKey channel = channelOf(pubsub);
            if (channel == null) {
                log.warn("message on unknown PUB/SUB channel {} ignored", pubsub);
                return;
            }
            EngineCodec.Message m = EngineCodec.decodeMessage(message);
            switch (m.kind()) {
                case EngineCodec.PUBLICATION -> handler.handlePublication(channel, m.publication(), m.position());
                case EngineCodec.JOIN -> handler.handleJoin(channel, m.info());
                case EngineCodec.LEAVE -> handler.handleLeave(channel, m.info());
                default -> log.warn("message of unknown kind {} on {} ignored", (char) m.kind(), pubsub);
            }
        }

        @Override
        public void interrupted(String pubsub) {
            ChannelKey channel = channelOf(pubsub);
            if (channel != null) {
                handler.handleInterrupted(channel);
            }
        }
    }
}
