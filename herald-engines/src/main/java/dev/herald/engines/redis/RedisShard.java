package dev.herald.engines.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;

/**
 * One Redis instance: a Lettuce client and one shared command connection (Lettuce pipelines every command sent on
 * it, from any thread, so the broker, presence and controller share it). Pub/sub connections are opened per
 * component with {@link #connectPubSub()}, because a subscribed connection can run no other command.
 */
public final class RedisShard implements AutoCloseable {
    private final int index;
    private final RedisURI uri;
    private final RedisClient client;
    private volatile StatefulRedisConnection<byte[], byte[]> commands;

    RedisShard(int index, RedisURI uri, RedisClient client) {
        this.index = index;
        this.uri = uri;
        this.client = client;
    }

    public int index() {
        return index;
    }

    public RedisURI uri() {
        return uri;
    }

    public RedisClient client() {
        return client;
    }

    /**
     * The command connection, opened on first use. Opening blocks for at most the connect timeout, so it happens
     * at start-up ({@link #connect()}), never on an event loop; after that Lettuce reconnects by itself.
     */
    public StatefulRedisConnection<byte[], byte[]> commands() {
        StatefulRedisConnection<byte[], byte[]> c = commands;
        if (c == null) {
            throw new IllegalStateException("redis shard " + uri + " is not connected yet");
        }
        return c;
    }

    /** Opens the command connection (blocking, start-up only); throws when Redis cannot be reached. */
    public synchronized void connect() {
        if (commands == null) {
            commands = client.connect(ByteArrayCodec.INSTANCE);
        }
    }

    /** A new pub/sub connection (blocking, start-up only); Lettuce resubscribes its channels after a reconnect. */
    public StatefulRedisPubSubConnection<byte[], byte[]> connectPubSub() {
        return client.connectPubSub(ByteArrayCodec.INSTANCE);
    }

    boolean connected() {
        StatefulRedisConnection<byte[], byte[]> c = commands;
        return c != null && c.isOpen();
    }

    @Override
    public void close() {
        StatefulRedisConnection<byte[], byte[]> c = commands;
        if (c != null) {
            c.close();
        }
        client.shutdown();
    }
}
