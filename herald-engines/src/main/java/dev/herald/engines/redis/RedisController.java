package dev.herald.engines.redis;

import dev.herald.core.cluster.Controller;
import dev.herald.engines.EngineNames;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Node-to-node control traffic over Redis PUB/SUB, on Centrifugo's channels: {@code <prefix>.control} for
 * broadcasts and {@code <prefix>.node.<nodeId>} for one node. Every node subscribes to both on every shard, with a
 * pub/sub connection of its own per shard, so a message published on any shard reaches it.
 *
 * <p>Which shard a node publishes on: Centrifugo round-robins control publishes over the shards, but with two or
 * more shards that lets one sender's messages overtake each other (they travel on different connections), which
 * breaks {@link Controller}'s rule that messages from one sender to one receiver arrive in order. So each node
 * publishes everything on one shard, chosen from its id by the same consistent hash as channels (the nodes of a
 * cluster spread over the shards), and moves to the next connected shard only while that one is down.
 *
 * <p>Threading: Lettuce calls the pub/sub listener on its I/O threads; the listener only queues the message for
 * this controller's single hand-off thread, which calls the receiver in arrival order. The queue is bounded: when a
 * flood fills it, further messages are dropped with a log line (control traffic is best effort; surveys notice the
 * loss by their timeout) rather than block Lettuce or grow without bound. Sends never block: they return Lettuce's
 * stage, which fails at once while the shard is unreachable.
 */
public final class RedisController implements Controller {
    private static final Logger log = LoggerFactory.getLogger(RedisController.class);
    /** Messages waiting for the receiver before a flood is dropped; a heartbeat or survey message is small. */
    public static final int DEFAULT_QUEUE_CAPACITY = 10_000;

    private final RedisShards shards;
    private final EngineNames names;
    private final int queueCapacity;
    private final List<StatefulRedisPubSubConnection<byte[], byte[]>> subscriptions = new CopyOnWriteArrayList<>();
    private final AtomicLong dropped = new AtomicLong();
    private volatile String nodeId;
    private volatile Receiver receiver;
    private volatile ThreadPoolExecutor handoff;
    private volatile RedisShard home;
    private volatile boolean closed;

    public RedisController(RedisShards shards) {
        this(shards, DEFAULT_QUEUE_CAPACITY);
    }

    public RedisController(RedisShards shards, int queueCapacity) {
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queue capacity must be positive, was " + queueCapacity);
        }
        this.shards = shards;
        this.names = new EngineNames(shards.prefix());
        this.queueCapacity = queueCapacity;
    }

    /**
     * Subscribes on every shard and returns once Redis confirmed the subscriptions (blocking: start-up only).
     *
     * @throws RuntimeException when a shard cannot be reached; nothing stays subscribed then
     */
    @Override
    public synchronized void start(String nodeId, Receiver receiver) {
        if (this.nodeId != null) {
            throw new IllegalStateException("controller already started as node " + this.nodeId);
        }
        if (closed) {
            throw new IllegalStateException("controller closed");
        }
        this.nodeId = nodeId;
        this.receiver = receiver;
        this.home = shards.forKey(nodeId);
        this.handoff = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(queueCapacity), r -> {
                    Thread t = new Thread(r, "herald-control-" + nodeId);
                    t.setDaemon(true);
                    return t;
                });
        byte[][] channels = {utf8(names.control()), utf8(names.node(nodeId))};
        try {
            for (RedisShard shard : shards.all()) {
                shard.connect();
                StatefulRedisPubSubConnection<byte[], byte[]> pubsub = shard.connectPubSub();
                subscriptions.add(pubsub);
                pubsub.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(byte[] channel, byte[] message) {
                        handOff(message);
                    }
                });
                // Lettuce resubscribes both channels by itself after a reconnect.
                pubsub.sync().subscribe(channels);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public CompletionStage<Void> broadcast(byte[] message) {
        return publish(names.control(), message);
    }

    @Override
    public CompletionStage<Void> send(String nodeId, byte[] message) {
        return publish(names.node(nodeId), message);
    }

    /** True while started, not closed, and every shard's command and pub/sub connections are up (for /health). */
    public boolean healthy() {
        if (closed || nodeId == null || !shards.healthy()) {
            return false;
        }
        for (StatefulRedisPubSubConnection<byte[], byte[]> pubsub : subscriptions) {
            if (!pubsub.isOpen()) {
                return false;
            }
        }
        return true;
    }

    /** Messages dropped because the hand-off queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /** Unsubscribes and stops the hand-off thread; the shards stay open (they are shared and closed by their owner). */
    @Override
    public synchronized void close() {
        closed = true;
        for (StatefulRedisPubSubConnection<byte[], byte[]> pubsub : subscriptions) {
            try {
                pubsub.close();
            } catch (RuntimeException e) {
                log.debug("closing a control pub/sub connection failed", e);
            }
        }
        subscriptions.clear();
        ThreadPoolExecutor executor = handoff;
        if (executor != null) {
            executor.shutdown();
        }
    }

    private CompletionStage<Void> publish(String channel, byte[] message) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("controller closed"));
        }
        if (nodeId == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("controller not started"));
        }
        try {
            return sendShard().commands().async().publish(utf8(channel), message).toCompletableFuture()
                    .thenApply(receivers -> null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** This node's shard, or while it is down the next connected one (see the class comment). */
    private RedisShard sendShard() {
        RedisShard own = home;
        if (own.connected()) {
            return own;
        }
        List<RedisShard> all = shards.all();
        for (int i = 1; i < all.size(); i++) {
            RedisShard next = all.get((own.index() + i) % all.size());
            if (next.connected()) {
                return next;
            }
        }
        return own; // none is up: the publish fails at once and says why
    }

    /** On a Lettuce I/O thread: queue and return. */
    private void handOff(byte[] message) {
        try {
            handoff.execute(() -> deliver(message));
        } catch (RejectedExecutionException e) {
            if (closed) {
                return;
            }
            long n = dropped.incrementAndGet();
            if (Long.bitCount(n) == 1) { // 1, 2, 4, 8, ...: a flood logs a few lines, not one per message
                log.warn("node {} dropped {} control message(s) so far: the hand-off queue ({}) is full",
                        nodeId, n, queueCapacity);
            }
        }
    }

    private void deliver(byte[] message) {
        try {
            receiver.receive(message);
        } catch (RuntimeException e) {
            log.warn("control receiver of node {} failed", nodeId, e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
