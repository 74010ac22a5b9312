package dev.herald.core.testing;

import dev.herald.core.channel.ChannelKey;
import dev.herald.core.engine.Broker;
import dev.herald.core.engine.BrokerEventHandler;
import dev.herald.core.engine.MemoryBroker;
import dev.herald.core.time.ManualScheduler;
import dev.herald.protocol.ClientInfo;
import dev.herald.protocol.Publication;
import dev.herald.protocol.StreamPosition;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One in-memory engine shared by the nodes of a {@link ClusterHarness}, behaving as Redis or NATS would for them:
 * one history stream per channel whatever node publishes, and a publication (or join/leave) delivered to every
 * node that is subscribed to the channel, the publisher included, after an optional delay. Each node gets its own
 * {@link #view()}.
 */
public final class SharedBroker {
    private final ManualScheduler time;
    private final MemoryBroker store;
    private final List<View> views = new CopyOnWriteArrayList<>();
    private volatile Duration delay = Duration.ZERO;

    public SharedBroker(ManualScheduler time) {
        this.time = time;
        this.store = new MemoryBroker(time, time.clock()::millis);
        store.start(new BrokerEventHandler() {
            @Override
            public void handlePublication(ChannelKey channel, Publication publication, StreamPosition position) {
                fanOut(channel, h -> h.handlePublication(channel, publication, position));
            }

            @Override
            public void handleJoin(ChannelKey channel, ClientInfo info) {
                fanOut(channel, h -> h.handleJoin(channel, info));
            }

            @Override
            public void handleLeave(ChannelKey channel, ClientInfo info) {
                fanOut(channel, h -> h.handleLeave(channel, info));
            }
        });
    }

    /** Delays every delivery to the nodes by {@code by} of manual time (zero: delivered at once). */
    public void delay(Duration by) {
        this.delay = by;
    }

    /** A node's broker. */
    public Broker view() {
        View view = new View();
        views.add(view);
        return view;
    }

    private void fanOut(ChannelKey channel, Consumer<BrokerEventHandler> delivery) {
        Duration d = delay;
        for (View view : views) {
            if (!view.subscribed.contains(channel) || view.handler == null) {
                continue;
            }
            if (d.isZero()) {
                delivery.accept(view.handler);
            } else {
                time.schedule(() -> delivery.accept(view.handler), d.toNanos(), TimeUnit.NANOSECONDS);
            }
        }
    }

    /** A node's side: its own handler and subscriptions over the shared store. */
    private final class View extends ForwardingBroker {
        final Set<ChannelKey> subscribed = ConcurrentHashMap.newKeySet();
        volatile BrokerEventHandler handler;

        View() {
            super(store);
        }

        @Override
        public void start(BrokerEventHandler handler) {
            this.handler = handler;
        }

        @Override
        public CompletionStage<Void> subscribe(ChannelKey channel) {
            subscribed.add(channel);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> unsubscribe(ChannelKey channel) {
            subscribed.remove(channel);
            return CompletableFuture.completedFuture(null);
        }

        /** The store is shared: one node closing does not close it. */
        @Override
        public void close() {
        }
    }
}
