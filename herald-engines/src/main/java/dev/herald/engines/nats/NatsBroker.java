package dev.herald.engines.nats;

import dev.herald.core.channel.ChannelKey;
import dev.herald.core.codes.ErrorException;
import dev.herald.core.codes.Errors;
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
import io.nats.client.ConnectionListener;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A {@link Broker} over core NATS, as Centrifugo's NATS broker: each channel is the subject
 * {@code <prefix>.client.<channel>} ({@link EngineNames#name}; another app's channels are under
 * {@code <prefix>.app.<app>.client.<channel>}, so apps never share a subject), every node subscribed to the channel
 * gets every publication, join and leave, this node included.
 *
 * <p><b>At-most-once, no history.</b> Core NATS stores nothing: a publish with history options, {@link #history}
 * and {@link #removeHistory} fail with 108 "not available". Idempotency keys are remembered in a small bounded cache
 * of this node only (five minutes, as Centrifugo's window): a retry on another node publishes again.
 *
 * <p><b>Channel names.</b> A NATS subject is split into tokens by dots, and {@code *} and {@code >} tokens are
 * wildcards. So that a channel can never become a wildcard (and receive other channels' publications) nor an
 * invalid subject, names with {@code *}, {@code >}, whitespace or control characters, or an empty dot-separated
 * part (a leading, trailing or double dot, or the empty name) are refused with 107 "bad request".
 *
 * <p><b>Threading.</b> One jnats dispatcher per broker receives every channel; it only looks the channel up and
 * hands the message to a {@link ChannelLanes} lane (decoding happens there), so one channel's deliveries reach the
 * handler in order and never on a jnats thread. A full lane drops the message and reports the channel through
 * {@link BrokerEventHandler#handleInterrupted}. {@link #subscribe} and {@link #unsubscribe} complete after a
 * {@link NatsConnection#roundTrip} confirmed the server has the change. After a reconnect (RESUBSCRIBED, once a
 * round trip confirmed it) every subscribed channel is reported through {@code handleInterrupted}, because what was
 * published meanwhile never reached this node.
 *
 * <p>The {@link NatsConnection} is the caller's: close it after the broker.
 */
public final class NatsBroker implements Broker {
    private static final Logger log = LoggerFactory.getLogger(NatsBroker.class);
    private static final CompletableFuture<PublishOutcome> PUBLISHED =
            CompletableFuture.completedFuture(PublishOutcome.NONE);
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
    private static final Duration IDEMPOTENCY_WINDOW = Duration.ofMinutes(5);

    private final NatsConnection nats;
    private final EngineNames names;
    private final ChannelLanes lanes;
    private final IdempotencyCache idempotency;
    /** Subject to channel of every channel subscribed (or being subscribed); deliveries for others are ignored. */
    private final Map<String, ChannelKey> subscribed = new ConcurrentHashMap<>();
    private final Consumer<ConnectionListener.Events> connectionListener = this::onConnectionEvent;
    private volatile BrokerEventHandler handler;
    private volatile Dispatcher dispatcher;

    /**
     * @param lanes        delivery threads; a channel stays on one
     * @param laneCapacity deliveries a lane holds before it drops
     */
    public NatsBroker(NatsConnection nats, int lanes, int laneCapacity) {
        this.nats = nats;
        this.names = nats.names();
        this.lanes = new ChannelLanes("nats-broker", lanes, laneCapacity, this::lost);
        this.idempotency = new IdempotencyCache(10_000, IDEMPOTENCY_WINDOW.toNanos(), System::nanoTime);
    }

    /** Two lanes of 8192 deliveries each. */
    public NatsBroker(NatsConnection nats) {
        this(nats, 2, 8192);
    }

    @Override
    public void start(BrokerEventHandler handler) {
        this.handler = handler;
        this.dispatcher = nats.connection().createDispatcher(this::onMessage);
        nats.addListener(connectionListener);
    }

    @Override
    public CompletionStage<PublishOutcome> publish(ChannelKey channel, Publication publication,
                                                   PublishOptions options) {
        if (options.withHistory()) {
            return CompletableFuture.failedFuture(new ErrorException(Errors.NOT_AVAILABLE));
        }
        String key = options.idempotencyKey();
        boolean keyed = key != null && !key.isEmpty();
        if (keyed && idempotency.seen(channel, key)) {
            return PUBLISHED; // the first publish with this key already went out and had no position either
        }
        try {
            send(channel, EngineCodec.PUBLICATION, EngineCodec.encodePublication(publication));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (keyed) {
            idempotency.remember(channel, key); // only once it went out: a failed publish may be retried
        }
        return PUBLISHED;
    }

    @Override
    public CompletionStage<Void> publishJoin(ChannelKey channel, ClientInfo info) {
        return sendStage(channel, EngineCodec.JOIN, EngineCodec.encodeInfo(info));
    }

    @Override
    public CompletionStage<Void> publishLeave(ChannelKey channel, ClientInfo info) {
        return sendStage(channel, EngineCodec.LEAVE, EngineCodec.encodeInfo(info));
    }

    @Override
    public CompletionStage<Void> subscribe(ChannelKey channel) {
        String subject;
        try {
            subject = subject(channel);
        } catch (ErrorException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (!nats.healthy()) {
            // jnats would accept the subscription and send it after the reconnect; refusing now lets the client
            // retry instead of waiting on a subscription nobody can confirm.
            return CompletableFuture.failedFuture(new IllegalStateException("NATS is not connected"));
        }
        subscribed.put(subject, channel);
        dispatcher.subscribe(subject);
        return nats.roundTrip().whenComplete((r, error) -> {
            if (error != null) {
                // The hub rolls the channel back and will not unsubscribe it: drop the subscription here.
                subscribed.remove(subject);
                dispatcher.unsubscribe(subject);
            }
        });
    }

    @Override
    public CompletionStage<Void> unsubscribe(ChannelKey channel) {
        String subject;
        try {
            subject = subject(channel);
        } catch (ErrorException e) {
            return DONE; // never subscribed
        }
        // Removed first, so deliveries still in flight for the channel are ignored from now on.
        if (subscribed.remove(subject) == null) {
            return DONE;
        }
        dispatcher.unsubscribe(subject);
        // A failed round trip still leaves the subscription dropped on the client side; the server drops it with
        // the connection or receives the UNSUB once reconnected.
        return nats.roundTrip().exceptionally(error -> null);
    }

    @Override
    public CompletionStage<HistoryPage> history(ChannelKey channel, HistoryQuery query) {
        return CompletableFuture.failedFuture(new ErrorException(Errors.NOT_AVAILABLE));
    }

    @Override
    public CompletionStage<Void> removeHistory(ChannelKey channel) {
        return CompletableFuture.failedFuture(new ErrorException(Errors.NOT_AVAILABLE));
    }

    /** The channels this broker holds a subscription for; for tests and metrics. */
    public List<ChannelKey> channels() {
        return List.copyOf(subscribed.values());
    }

    @Override
    public void close() {
        nats.removeListener(connectionListener);
        Dispatcher d = dispatcher;
        if (d != null) {
            try {
                nats.connection().closeDispatcher(d);
            } catch (IllegalStateException alreadyClosed) {
                // the connection went first
            }
        }
        subscribed.clear();
        lanes.close();
    }

    /**
     * The channel's subject; refuses names that NATS would read as wildcards or reject (see the class comment).
     *
     * @throws ErrorException 107 for such a name or an invalid app id
     */
    String subject(ChannelKey channel) {
        if (!safe(channel.name())) {
            throw new ErrorException(Errors.BAD_REQUEST);
        }
        try {
            return names.name(channel, "client");
        } catch (IllegalArgumentException badApp) {
            throw new ErrorException(Errors.BAD_REQUEST);
        }
    }

    static boolean safe(String name) {
        if (name.isEmpty() || name.charAt(0) == '.' || name.charAt(name.length() - 1) == '.') {
            return false;
        }
        char previous = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '*' || c == '>' || c <= ' ' || c == 0x7f || Character.isWhitespace(c)
                    || (c == '.' && previous == '.')) {
                return false;
            }
            previous = c;
        }
        return true;
    }

    /**
     * Hands a broker message to NATS.
     *
     * @throws ErrorException 107 for a refused channel name
     * @throws IllegalStateException when the outgoing queue or reconnect buffer is full, or the connection closed
     *                               (the node reports 100)
     */
    /**
     * Sends a publication a stream elsewhere (Redis) already stored at {@code position}, so subscribers get its
     * offset and epoch and can recover from that stream.
     */
    public CompletionStage<Void> publishAt(ChannelKey channel, byte[] body, StreamPosition position) {
        try {
            nats.publish(subject(channel), EngineCodec.message(EngineCodec.PUBLICATION, position, body));
            return DONE;
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void send(ChannelKey channel, byte kind, byte[] body) {
        nats.publish(subject(channel), EngineCodec.message(kind, body));
    }

    private CompletionStage<Void> sendStage(ChannelKey channel, byte kind, byte[] body) {
        try {
            send(channel, kind, body);
            return DONE;
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** On the dispatcher's thread: look the channel up and hand off, nothing more. */
    private void onMessage(Message message) {
        ChannelKey channel = subscribed.get(message.getSubject());
        if (channel == null) {
            return;
        }
        byte[] data = message.getData();
        lanes.execute(channel, () -> deliver(channel, data));
    }

    private void deliver(ChannelKey channel, byte[] bytes) {
        EngineCodec.Message m;
        try {
            m = EngineCodec.decodeMessage(bytes);
        } catch (RuntimeException e) {
            log.warn("undecodable NATS message on channel {}", channel, e);
            return;
        }
        switch (m.kind()) {
            case EngineCodec.PUBLICATION -> handler.handlePublication(channel, m.publication(), null);
            case EngineCodec.JOIN -> handler.handleJoin(channel, m.info());
            case EngineCodec.LEAVE -> handler.handleLeave(channel, m.info());
            default -> log.debug("skipped NATS message of kind {}", (char) m.kind());
        }
    }

    /** A lane dropped a delivery of this channel: the node checks what its subscribers may have missed. */
    private void lost(ChannelKey channel) {
        handler.handleInterrupted(channel);
    }

    /** On the nats-events thread. */
    private void onConnectionEvent(ConnectionListener.Events event) {
        if (event != ConnectionListener.Events.RESUBSCRIBED) {
            return;
        }
        // jnats has resent the subscriptions; once the server confirms them, tell the node about every channel,
        // through its lane so the report comes after what was delivered before it.
        nats.roundTrip().whenComplete((r, error) -> {
            for (ChannelKey channel : subscribed.values()) {
                lanes.execute(channel, () -> handler.handleInterrupted(channel));
            }
        });
    }
}
