package dev.herald.core.hub;

import dev.herald.core.telemetry.Telemetry;
import dev.herald.core.channel.ChannelKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * This node's registry of connections and subscriptions, whatever protocol they speak: the source of truth for
 * everything local. Indexed two ways: by client id and (app, user) for the sessions API and disconnects, and by
 * channel for fan-out. User shards take one lock for "all connections of user X"; channel entries lock on
 * themselves. Under a lock only maps are read and changed and broker operations are decided; writing to
 * connections and calling the broker happen outside any hub lock.
 *
 * <p>The broker hears about a channel only from here: when its first local subscriber arrives and when its last
 * one leaves, decided inside the channel entry's lock (see {@link ChannelEntry}), so that concurrent first
 * subscribers share one broker subscribe and an unsubscribe racing a subscribe cannot leave the node unsubscribed
 * from a channel that has local subscribers.
 */
public final class Hub {
    private static final Logger log = LoggerFactory.getLogger(Hub.class);

    private final ConcurrentHashMap<String, HubSession> sessions = new ConcurrentHashMap<>();
    /** Sessions of unidirectional and emulation transports by their session id (for /emulation and the API). */
    private final ConcurrentHashMap<String, HubSession> bySessionId = new ConcurrentHashMap<>();
    /** The default app's users; other apps' are in {@link #appUsers}. */
    private final UserIndex defaultUsers = new UserIndex();
    private final ConcurrentHashMap<String, UserIndex> appUsers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<ChannelKey, ChannelEntry> channels = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Executor, LoopBatcher> batchers = new ConcurrentHashMap<>();
    /** Kept as the hub changes, so metrics and {@code info} read them without walking the maps. */
    private final AtomicInteger numUsers = new AtomicInteger();
    private final AtomicInteger numSubscriptions = new AtomicInteger();
    private final AtomicInteger numChannels = new AtomicInteger();
    private final Telemetry telemetry;
    private final BrokerSubscriptions broker;

    public Hub(Telemetry telemetry, BrokerSubscriptions broker) {
        this.telemetry = telemetry;
        this.broker = broker;
    }

    // ---- sessions ----

    /**
     * Registers a connected session unless its user already has {@code userLimit} connections here (0 = no limit;
     * anonymous connections are not limited).
     *
     * @return false when the limit refused it
     */
    public boolean addSession(HubSession session, int userLimit) {
        boolean[] added = new boolean[1];
        users(session.app()).update(session.user(), set -> {
            if (userLimit > 0 && !session.user().isEmpty() && UserIndex.UserSet.size(set) >= userLimit) {
                return set;
            }
            sessions.put(session.id(), session);
            if (!session.sessionId().isEmpty()) {
                bySessionId.put(session.sessionId(), session);
            }
            if (set == null) {
                numUsers.incrementAndGet();
            }
            added[0] = true;
            return UserIndex.UserSet.add(set, session);
        });
        return added[0];
    }

    public void removeSession(HubSession session) {
        users(session.app()).update(session.user(), set -> {
            if (!sessions.remove(session.id(), session)) {
                return set;
            }
            if (!session.sessionId().isEmpty()) {
                bySessionId.remove(session.sessionId(), session);
            }
            Object rest = UserIndex.UserSet.remove(set, session);
            if (rest == null && set != null) {
                numUsers.decrementAndGet();
            }
            return rest;
        });
    }

    public HubSession session(String clientId) {
        return sessions.get(clientId);
    }

    /** The connected session with this session id (unidirectional and emulation transports), or null. */
    public HubSession sessionBySessionId(String sessionId) {
        return bySessionId.get(sessionId);
    }

    /** A copy of the user's connections in the default app on this node, in connection order. */
    public List<HubSession> userSessions(String user) {
        return defaultUsers.sessions(user);
    }

    /** A copy of the user's connections in {@code app} on this node, in connection order. */
    public List<HubSession> userSessions(String app, String user) {
        UserIndex index = app.equals(ChannelKey.DEFAULT_APP) ? defaultUsers : appUsers.get(app);
        return index == null ? List.of() : index.sessions(user);
    }

    /** Calls {@code action} for every connection of every app, outside any lock. */
    public void forEachSession(Consumer<HubSession> action) {
        sessions.values().forEach(action);
    }

    public int numClients() {
        return sessions.size();
    }

    /** Distinct (app, user) pairs with a connection here. */
    public int numUsers() {
        return numUsers.get();
    }

    private UserIndex users(String app) {
        return app.equals(ChannelKey.DEFAULT_APP) ? defaultUsers
                : appUsers.computeIfAbsent(app, a -> new UserIndex());
    }

    // ---- channels ----

    /**
     * Adds a subscriber. The stage completes once the node's broker subscription to the channel is in place: at
     * once when it already was, else when the subscribe started by the channel's first subscriber completes.
     * Every subscriber that arrived while that subscribe was pending waits on it; if it fails, they are all
     * removed from the hub and all their stages fail.
     */
    public CompletionStage<Void> addSubscriber(Subscriber sub) {
        ChannelKey key = new ChannelKey(sub.session().app(), sub.channel());
        Runnable[] start = new Runnable[1];
        @SuppressWarnings("unchecked")
        CompletableFuture<Void>[] ready = new CompletableFuture[1];
        channels.compute(key, (k, entry) -> {
            if (entry == null) {
                entry = new ChannelEntry();
            }
            synchronized (entry) {
                if (entry.size == 0) {
                    numChannels.incrementAndGet();
                }
                entry.add(sub);
                if (entry.ready == null) {
                    CompletableFuture<Void> previous = entry.tail;
                    CompletableFuture<Void> op = new CompletableFuture<>();
                    entry.ready = op;
                    entry.tail = op;
                    start[0] = () -> previous.whenComplete((v, e) -> brokerSubscribe(k, op));
                }
                ready[0] = entry.ready;
            }
            return entry;
        });
        numSubscriptions.incrementAndGet();
        if (start[0] != null) {
            start[0].run();
        }
        return ready[0];
    }

    /**
     * Removes a subscriber (no-op when it is not in the hub). The last one leaving unsubscribes the node from the
     * channel at the broker, after any broker operation still in flight for it.
     */
    public void removeSubscriber(Subscriber sub) {
        ChannelKey key = new ChannelKey(sub.session().app(), sub.channel());
        Runnable[] start = new Runnable[1];
        boolean[] removed = new boolean[1];
        channels.computeIfPresent(key, (k, entry) -> {
            synchronized (entry) {
                if (!entry.remove(sub)) {
                    return entry;
                }
                removed[0] = true;
                if (entry.size > 0) {
                    return entry;
                }
                numChannels.decrementAndGet();
                if (entry.ready != null) {
                    // The latest operation is a subscribe (pending or done): undo it once it has finished.
                    CompletableFuture<Void> subscribe = entry.tail;
                    CompletableFuture<Void> op = new CompletableFuture<>();
                    entry.ready = null;
                    entry.tail = op;
                    start[0] = () -> subscribe.whenComplete((v, e) -> brokerUnsubscribe(k, op, e == null));
                }
                return entry.idle() ? null : entry;
            }
        });
        if (removed[0]) {
            numSubscriptions.decrementAndGet();
        }
        if (start[0] != null) {
            start[0].run();
        }
    }

    private void brokerSubscribe(ChannelKey key, CompletableFuture<Void> op) {
        CompletionStage<Void> subscribed;
        try {
            subscribed = broker.subscribe(key);
        } catch (RuntimeException e) {
            subscribed = CompletableFuture.failedFuture(e);
        }
        subscribed.whenComplete((v, error) -> {
            if (error == null) {
                // A channel's entry keeps the shared completed future, not one per channel, once subscribed.
                channels.computeIfPresent(key, (k, entry) -> {
                    synchronized (entry) {
                        if (entry.ready == op) {
                            entry.ready = ChannelEntry.DONE;
                        }
                        if (entry.tail == op) {
                            entry.tail = ChannelEntry.DONE;
                        }
                    }
                    return entry;
                });
                op.complete(null);
                return;
            }
            log.warn("broker subscribe to {} failed: {}", key, error.toString());
            int[] dropped = new int[1];
            channels.computeIfPresent(key, (k, entry) -> {
                synchronized (entry) {
                    if (entry.ready != op) {
                        // Everyone who waited on this subscribe has left already; an unsubscribe follows it.
                        return entry;
                    }
                    dropped[0] = entry.removeAll().size();
                    entry.ready = null;
                    if (dropped[0] > 0) {
                        numChannels.decrementAndGet();
                    }
                    // The failed subscribe is the tail and completes right below: nothing is left in flight.
                    return entry.size == 0 && entry.tail == op ? null : entry;
                }
            });
            numSubscriptions.addAndGet(-dropped[0]);
            op.completeExceptionally(error);
        });
    }

    private void brokerUnsubscribe(ChannelKey key, CompletableFuture<Void> op, boolean subscribed) {
        CompletionStage<Void> unsubscribed;
        if (!subscribed) {
            unsubscribed = ChannelEntry.DONE;
        } else {
            try {
                unsubscribed = broker.unsubscribe(key);
            } catch (RuntimeException e) {
                unsubscribed = CompletableFuture.failedFuture(e);
            }
        }
        unsubscribed.whenComplete((v, error) -> {
            if (error != null) {
                log.warn("broker unsubscribe from {} failed: {}", key, error.toString());
            }
            channels.computeIfPresent(key, (k, entry) -> {
                synchronized (entry) {
                    return entry.size == 0 && entry.tail == op ? null : entry;
                }
            });
            op.complete(null);
        });
    }

    /**
     * Tells every local subscriber of the channel that publications may have been lost on their way to this node
     * ({@link Subscriber#streamInterrupted()}); called after a broker resubscribed. Runs outside the entry's lock.
     */
    public void streamInterrupted(ChannelKey channel) {
        ChannelEntry entry = channels.get(channel);
        if (entry == null) {
            return;
        }
        List<ChannelEntry.GroupSnapshot> groups;
        synchronized (entry) {
            groups = entry.snapshot();
        }
        for (ChannelEntry.GroupSnapshot group : groups) {
            for (Subscriber sub : group.subscribers()) {
                sub.streamInterrupted();
            }
        }
    }

    /** Local subscribers of a channel. */
    public int numSubscribers(ChannelKey channel) {
        ChannelEntry entry = channels.get(channel);
        if (entry == null) {
            return 0;
        }
        synchronized (entry) {
            return entry.size;
        }
    }

    /** The app's channels with at least one local subscriber, with their subscriber counts. */
    public Map<String, Integer> channels(String app) {
        Map<String, Integer> out = new HashMap<>();
        channels.forEach((key, entry) -> {
            if (!key.app().equals(app)) {
                return;
            }
            synchronized (entry) {
                if (entry.size > 0) {
                    out.put(key.name(), entry.size);
                }
            }
        });
        return out;
    }

    /** Channels with at least one local subscriber, all apps. */
    public int numChannels() {
        return numChannels.get();
    }

    /** Subscriptions on this node, all apps. */
    public int numSubscriptions() {
        return numSubscriptions.get();
    }

    /**
     * Delivers an event to the channel's local subscribers: encoded once per wire format in use, handed to each
     * event loop once. Join and leave events reach only subscribers that asked for them.
     */
    public void broadcast(ChannelKey channel, ChannelEvent event, long offset) {
        ChannelEntry entry = channels.get(channel);
        if (entry == null) {
            return;
        }
        List<ChannelEntry.GroupSnapshot> groups;
        WireFormat[] formats;
        synchronized (entry) {
            groups = entry.snapshot();
            formats = entry.presentFormats();
        }
        if (groups.isEmpty()) {
            return;
        }
        EncodedEvent encoded = new EncodedEvent(channel.name(), event, offset);
        // Encode here, before the hand-off, so loops only read the shared arrays (the hand-off publishes them).
        for (WireFormat format : formats) {
            encoded.bytes(format);
        }
        for (ChannelEntry.GroupSnapshot group : groups) {
            batchers.computeIfAbsent(group.executor(), e -> new LoopBatcher(e, telemetry))
                    .submit(group.key(), group.subscribers(), encoded);
        }
    }
}
