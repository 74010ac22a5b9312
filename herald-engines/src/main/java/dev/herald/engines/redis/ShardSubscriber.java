package dev.herald.engines.redis;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.pubsub.RedisPubSubListener;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The broker's pub/sub connection to one shard and the PUB/SUB channels this node wants there.
 *
 * <p>Lettuce reconnects a lost connection and resubscribes the channels it had. Publications sent meanwhile never
 * arrive, so when the connection drops every wanted channel is marked, and when Redis confirms a marked channel's
 * resubscription the channel is reported interrupted through the {@link DeliveryWorkers}, behind the messages it
 * received before. The Lettuce callbacks run on an I/O thread and only touch concurrent sets and queues.
 *
 * <p>A channel is added to the wanted set before its SUBSCRIBE is sent (and removed if that fails), so any
 * confirmation of a wanted channel finds it there; a confirmation of a channel no longer wanted (an UNSUBSCRIBE
 * that failed while Redis was down, which Lettuce then resubscribed) is answered with another UNSUBSCRIBE.
 */
final class ShardSubscriber implements RedisPubSubListener<byte[], byte[]>, RedisConnectionStateListener {
    private static final Logger log = LoggerFactory.getLogger(ShardSubscriber.class);
    /** Set by {@link #close()}: the connection going away is ours to close, not an outage. */
    private volatile boolean closing;

    private final RedisShard shard;
    private final DeliveryWorkers workers;
    private final Set<String> wanted = ConcurrentHashMap.newKeySet();
    private final Set<String> awaitingResubscribe = ConcurrentHashMap.newKeySet();
    private volatile StatefulRedisPubSubConnection<byte[], byte[]> connection;

    ShardSubscriber(RedisShard shard, DeliveryWorkers workers) {
        this.shard = shard;
        this.workers = workers;
    }

    /** Opens the pub/sub connection (blocking: start-up only). */
    void connect() {
        StatefulRedisPubSubConnection<byte[], byte[]> c = shard.connectPubSub();
        c.addListener((RedisPubSubListener<byte[], byte[]>) this);
        c.addListener((RedisConnectionStateListener) this);
        connection = c;
    }

    /** Completes when Redis confirmed the subscription. */
    CompletableFuture<Void> subscribe(String channel) {
        wanted.add(channel);
        try {
            return connection.async().subscribe(bytes(channel)).toCompletableFuture()
                    .whenComplete((ok, failure) -> {
                        if (failure != null) {
                            wanted.remove(channel);
                            awaitingResubscribe.remove(channel);
                        }
                    });
        } catch (RuntimeException e) {
            wanted.remove(channel);
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Completes when Redis confirmed; the channel counts as unwanted at once. */
    CompletableFuture<Void> unsubscribe(String channel) {
        wanted.remove(channel);
        awaitingResubscribe.remove(channel);
        try {
            return connection.async().unsubscribe(bytes(channel)).toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The connection is up and every wanted channel is subscribed again after the last reconnect. */
    boolean healthy() {
        StatefulRedisPubSubConnection<byte[], byte[]> c = connection;
        return c != null && c.isOpen() && awaitingResubscribe.isEmpty();
    }

    /** The PUB/SUB channels this node wants on this shard; for tests. */
    Set<String> wanted() {
        return Set.copyOf(wanted);
    }

    void close() {
        closing = true;
        StatefulRedisPubSubConnection<byte[], byte[]> c = connection;
        if (c != null) {
            c.close();
        }
    }

    @Override
    public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
        if (closing) {
            return;
        }
        awaitingResubscribe.addAll(wanted);
        log.warn("redis {}: pub/sub connection lost with {} channels; they are reported interrupted once "
                + "resubscribed", address(), wanted.size());
    }

    @Override
    public void subscribed(byte[] channel, long count) {
        String name = new String(channel, StandardCharsets.UTF_8);
        if (awaitingResubscribe.remove(name)) {
            workers.interrupted(channel);
        } else if (!wanted.contains(name)) {
            connection.async().unsubscribe(channel);
        }
    }

    @Override
    public void message(byte[] channel, byte[] message) {
        workers.message(channel, message);
    }

    @Override
    public void message(byte[] pattern, byte[] channel, byte[] message) {
        // no pattern subscriptions
    }

    @Override
    public void psubscribed(byte[] pattern, long count) {
    }

    @Override
    public void unsubscribed(byte[] channel, long count) {
    }

    @Override
    public void punsubscribed(byte[] pattern, long count) {
    }

    String address() {
        return shard.uri().getHost() + ":" + shard.uri().getPort();
    }

    private static byte[] bytes(String channel) {
        return channel.getBytes(StandardCharsets.UTF_8);
    }
}
