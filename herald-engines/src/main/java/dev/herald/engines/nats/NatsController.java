package dev.herald.engines.nats;

import dev.herald.core.cluster.Controller;
import dev.herald.engines.EngineNames;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * A {@link Controller} over core NATS, on Centrifugo's subjects: broadcasts go to {@code <prefix>.control}, a
 * message for one node to {@code <prefix>.node.<nodeId>}; each node listens to both.
 *
 * <p>NATS delivers a connection's own broadcasts back to it (echo): {@link dev.herald.core.cluster.Cluster} drops
 * them. Delivery is at-most-once: what is sent while disconnected waits in the connection's bounded reconnect buffer
 * or fails (see {@link NatsConnection}); surveys notice a lost message by their timeout.
 *
 * <p>Threading: one jnats dispatcher receives both subjects in arrival order and hands each message at once to one
 * {@code nats-control} thread, which calls the receiver in that order. Its queue is bounded: when the receiver
 * falls that far behind, messages are dropped (and counted), as a lossy transport would.
 *
 * <p>The {@link NatsConnection} is the caller's: close it after the controller.
 */
public final class NatsController implements Controller {
    private static final Logger log = LoggerFactory.getLogger(NatsController.class);
    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");

    private final NatsConnection nats;
    private final EngineNames names;
    private final ThreadPoolExecutor receiving;
    private final AtomicLong dropped = new AtomicLong();
    private volatile Receiver receiver;
    private volatile Dispatcher dispatcher;
    private volatile boolean closed;

    /** @param queueCapacity received messages waiting for the receiver before new ones are dropped */
    public NatsController(NatsConnection nats, int queueCapacity) {
        this.nats = nats;
        this.names = nats.names();
        this.receiving = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(queueCapacity),
                r -> Thread.ofPlatform().name("nats-control").daemon(true).unstarted(r),
                new ThreadPoolExecutor.AbortPolicy());
    }

    /** A queue of 10000 messages. */
    public NatsController(NatsConnection nats) {
        this(nats, 10_000);
    }

    @Override
    public void start(String nodeId, Receiver receiver) {
        checkNodeId(nodeId);
        if (this.receiver != null) {
            throw new IllegalStateException("controller already started");
        }
        this.receiver = receiver;
        Dispatcher d = nats.connection().createDispatcher(this::onMessage);
        d.subscribe(names.control());
        d.subscribe(names.node(nodeId));
        this.dispatcher = d;
    }

    @Override
    public CompletionStage<Void> broadcast(byte[] message) {
        return publish(names.control(), message);
    }

    @Override
    public CompletionStage<Void> send(String nodeId, byte[] message) {
        if (!NODE_ID.matcher(nodeId).matches()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("bad node id " + nodeId));
        }
        return publish(names.node(nodeId), message);
    }

    @Override
    public void close() {
        closed = true;
        Dispatcher d = dispatcher;
        if (d != null) {
            try {
                nats.connection().closeDispatcher(d);
            } catch (IllegalStateException alreadyClosed) {
                // the connection went first
            }
        }
        receiving.shutdownNow();
    }

    /** Messages dropped because the receiver fell behind; for metrics and tests. */
    public long dropped() {
        return dropped.get();
    }

    private CompletionStage<Void> publish(String subject, byte[] message) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("controller closed"));
        }
        try {
            nats.publish(subject, message);
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** On the dispatcher's thread: hand off, nothing more. */
    private void onMessage(Message message) {
        if (closed) {
            return;
        }
        byte[] data = message.getData();
        try {
            receiving.execute(() -> deliver(data));
        } catch (RejectedExecutionException full) {
            if (dropped.incrementAndGet() % 1000 == 1) {
                log.warn("control receiver behind: dropped {} messages so far", dropped.get());
            }
        }
    }

    private void deliver(byte[] data) {
        if (closed) {
            return;
        }
        try {
            receiver.receive(data);
        } catch (RuntimeException e) {
            log.warn("control receiver failed", e);
        }
    }

    private static void checkNodeId(String nodeId) {
        // A dot, '*', '>' or a space would make the node subject invalid or a wildcard.
        if (!NODE_ID.matcher(nodeId).matches()) {
            throw new IllegalArgumentException("node id '" + nodeId + "' must match " + NODE_ID.pattern());
        }
    }
}
