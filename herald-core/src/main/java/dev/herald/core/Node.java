package dev.herald.core;

import dev.herald.core.auth.TokenVerifier;
import dev.herald.core.channel.ChannelKey;
import dev.herald.core.channel.ChannelRules;
import dev.herald.core.client.ChannelStreams;
import dev.herald.core.client.ClientSession;
import dev.herald.core.client.ClientSessions;
import dev.herald.core.client.ClusterUsers;
import dev.herald.core.client.NodeLink;
import dev.herald.core.client.SubscribeCommands;
import dev.herald.core.cluster.Cluster;
import dev.herald.core.cluster.ClusterTiming;
import dev.herald.core.cluster.Controller;
import dev.herald.core.cluster.LocalController;
import dev.herald.core.codes.Disconnect;
import dev.herald.core.codes.ErrorException;
import dev.herald.core.codes.Errors;
import dev.herald.core.config.FrozenConfig.ChannelOptions;
import dev.herald.core.config.FrozenConfig;
import dev.herald.core.engine.Broker;
import dev.herald.core.engine.BrokerEventHandler;
import dev.herald.core.engine.HistoryPage;
import dev.herald.core.engine.HistoryQuery;
import dev.herald.core.engine.PresenceManager;
import dev.herald.core.engine.PublishOptions;
import dev.herald.core.engine.PublishOutcome;
import dev.herald.core.hub.BrokerSubscriptions;
import dev.herald.core.hub.ChannelEvent;
import dev.herald.core.hub.Hub;
import dev.herald.core.hub.HubSession;
import dev.herald.core.proxy.ConnectProxy;
import dev.herald.core.telemetry.Telemetry;
import dev.herald.core.time.Clock;
import dev.herald.core.time.Scheduler;
import dev.herald.core.transport.Transport;
import dev.herald.protocol.ClientInfo;
import dev.herald.protocol.Publication;
import dev.herald.protocol.PushBody;
import dev.herald.protocol.StreamPosition;
import dev.herald.protocol.control.ControlMessage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The facade of one Herald node: owns the hub and the engine SPIs, creates client sessions, and carries out the
 * server API's actions. Registers itself as the broker's event handler in {@link #start()}.
 */
public final class Node implements BrokerEventHandler {
    private final FrozenConfig config;
    private final Hub hub;
    private final Telemetry telemetry;
    private final Broker broker;
    private final PresenceManager presence;
    private final Clock clock;
    private final ChannelRules rules;
    private final String id = UUID.randomUUID().toString();
    private final String name;
    private final String version;
    private final long startedAtNanos;
    /** The Centrifugo client side: makes the sessions, and holds the commands they share. */
    private final ClientSessions sessions;
    /** The server API's subscribe and unsubscribe act on live sessions through these. */
    private final SubscribeCommands subscribeCommands;
    private final Cluster cluster;
    private final NodeControl control;

    /** A node alone: no other node to reach (a {@link LocalController}). */
    public Node(FrozenConfig config, Broker broker, PresenceManager presence, TokenVerifier tokenVerifier,
                ConnectProxy connectProxy, Scheduler scheduler, Clock clock, String name, String version,
                Telemetry telemetry) {
        this(config, broker, presence, new LocalController(), tokenVerifier, connectProxy, scheduler, clock, name,
                version, telemetry);
    }

    /**
     * @param config     the configuration, frozen ({@link dev.herald.core.config.HeraldConfig#freeze()}): nothing
     *                   can change it while the node runs
     * @param controller how this node reaches the others (server API actions, listings, node registry)
     * @param scheduler  the timer of every session (pings, expiry, stale and position checks)
     * @param clock      what sessions and commands read the time from; it must be the clock {@code scheduler}
     *                   runs on (and the broker's), or timers would fire early or late against expiry times
     */
    public Node(FrozenConfig config, Broker broker, PresenceManager presence, Controller controller,
                TokenVerifier tokenVerifier, ConnectProxy connectProxy, Scheduler scheduler, Clock clock,
                String name, String version, Telemetry telemetry) {
        this.config = config;
        this.telemetry = telemetry;
        this.broker = broker;
        this.hub = new Hub(telemetry, BrokerSubscriptions.of(broker::subscribe, broker::unsubscribe));
        this.presence = presence;
        this.clock = clock;
        this.startedAtNanos = clock.nanos();
        this.rules = new ChannelRules(config.channel);
        this.name = name;
        this.version = version;
        this.sessions = new ClientSessions(config, rules, hub, broker, presence, tokenVerifier, connectProxy,
                scheduler, clock, telemetry, new NodeLink(id, version, clientStreams(), clusterUsers()));
        this.subscribeCommands = sessions.subscribeCommands();
        this.cluster = new Cluster(controller, id, scheduler, clock::millis, ClusterTiming.DEFAULTS);
        this.control = new NodeControl(this, cluster);
    }

    /** single_connection and the user connection limit, across the cluster (through {@link NodeControl}). */
    private ClusterUsers clusterUsers() {
        return new ClusterUsers() {
            @Override
            public void closeOthers(String user, String keepClientId, long connectedAtMillis) {
                disconnect(user, null, null, Set.of(keepClientId), Disconnect.CONNECTION_LIMIT);
                control.closeOlderElsewhere(ChannelKey.DEFAULT_APP, user, keepClientId, connectedAtMillis);
            }

            @Override
            public CompletionStage<Integer> countOnOtherNodes(String user) {
                return control.countElsewhere(ChannelKey.DEFAULT_APP, user);
            }
        };
    }

    /** Client publish and history take the server API's path (namespace options, history settings). */
    private ChannelStreams clientStreams() {
        return new ChannelStreams() {
            @Override
            public CompletionStage<PublishOutcome> publish(String channel, byte[] data, ClientInfo info) {
                return Node.this.publish(channel, data, info, null, false, null);
            }

            @Override
            public CompletionStage<HistoryPage> history(String channel, StreamPosition since, int limit,
                                                        boolean reverse) {
                return Node.this.history(channel, since, limit, reverse);
            }
        };
    }

    public void start() {
        broker.start(this);
        cluster.start(control, this::heartbeat);
    }

    /** Cluster-wide actions, listings and the node registry. */
    public NodeControl control() {
        return control;
    }

    private ControlMessage.NodeInfo heartbeat() {
        NodeInfo info = info();
        return new ControlMessage.NodeInfo(id, name, version, info.numClients(), info.numUsers(), info.numSubs(),
                info.numChannels(), info.uptime());
    }

    /** A new connection's session; the transport handler feeds it frames. */
    public ClientSession newSession(Transport transport) {
        return sessions.newSession(transport);
    }

    // ---- what transports, the server API and tests read ----

    /** The configuration this node was built with; immutable. */
    public FrozenConfig config() {
        return config;
    }

    public Hub hub() {
        return hub;
    }

    public Telemetry telemetry() {
        return telemetry;
    }

    public PresenceManager presence() {
        return presence;
    }

    public ChannelRules rules() {
        return rules;
    }

    /** This node's id: emulation requests name the node that holds their session. */
    public String id() {
        return id;
    }

    // ---- server API actions on this node only (NodeControl carries them to every node) ----

    /**
     * Publishes into a channel. {@code info} is set for client publications; {@code skipHistory} publishes without
     * appending to the stream.
     */
    public CompletionStage<PublishOutcome> publish(String channel, byte[] data, ClientInfo info,
                                                   Map<String, String> tags, boolean skipHistory,
                                                   String idempotencyKey) {
        ChannelOptions options;
        try {
            options = rules.options(channel);
        } catch (ErrorException e) {
            return CompletableFuture.failedFuture(e);
        }
        // The idempotency key holds with or without history: the same key within its window publishes once.
        PublishOptions publishOptions = skipHistory || !options.historyEnabled()
                ? (idempotencyKey == null ? PublishOptions.NO_HISTORY
                : new PublishOptions(0, Duration.ZERO, Duration.ZERO, idempotencyKey))
                : new PublishOptions(options.historySize, options.historyTtl, historyMetaTtl(options),
                idempotencyKey);
        Publication publication = new Publication(data, info, 0, tags == null || tags.isEmpty() ? null : tags,
                false, 0, null);
        return broker.publish(ChannelKey.of(channel), publication, publishOptions);
    }

    /** Reads a channel's history; a {@code since} from another epoch fails with 112. */
    public CompletionStage<HistoryPage> history(String channel, StreamPosition since, int limit, boolean reverse) {
        ChannelOptions options;
        try {
            options = rules.options(channel);
        } catch (ErrorException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (!options.historyEnabled()) {
            return CompletableFuture.failedFuture(new ErrorException(Errors.NOT_AVAILABLE));
        }
        return broker.history(ChannelKey.of(channel), new HistoryQuery(since, limit, reverse, historyMetaTtl(options)))
                .thenApply(page -> {
                    if (since != null && since.epoch() != null && !since.epoch().isEmpty()
                            && !since.epoch().equals(page.top().epoch())) {
                        throw new ErrorException(Errors.UNRECOVERABLE_POSITION);
                    }
                    return page;
                });
    }

    public CompletionStage<Void> historyRemove(String channel) {
        try {
            rules.options(channel);
        } catch (ErrorException e) {
            return CompletableFuture.failedFuture(e);
        }
        return broker.removeHistory(ChannelKey.of(channel));
    }

    private java.time.Duration historyMetaTtl(ChannelOptions options) {
        return options.historyMetaTtl != null ? options.historyMetaTtl : config.channel.historyMetaTtl;
    }

    /**
     * Disconnects matching local connections: by {@code client} (and optionally {@code user}), by {@code session},
     * or every connection of {@code user} except those in {@code whitelist}. Returns how many were closed; they are
     * out of the hub when this returns.
     */
    public int disconnect(String user, String client, String session, Set<String> whitelist, Disconnect disconnect) {
        List<HubSession> targets = select(user, client, session);
        int closed = 0;
        for (HubSession s : targets) {
            if (whitelist != null && whitelist.contains(s.id())) {
                continue;
            }
            s.close(disconnect);
            closed++;
        }
        return closed;
    }

    /**
     * Subscribes matching local connections to a channel server-side, with a subscribe push.
     *
     * @throws ErrorException 102/107 for a channel that cannot exist
     */
    public int subscribe(String user, String channel, String client, String session,
                         dev.herald.core.auth.SubscribeOptions options) {
        return subscribe(user, channel, client, session, options, null, 0);
    }

    /**
     * As above, recovering from {@code recoverSince} (null = none) and expiring at {@code expireAt} (Unix seconds,
     * 0 = never): the server API's {@code recover_since} and {@code expire_at}.
     */
    public int subscribe(String user, String channel, String client, String session,
                         dev.herald.core.auth.SubscribeOptions options, StreamPosition recoverSince, long expireAt) {
        rules.options(channel);
        int n = 0;
        for (HubSession s : select(user, client, session)) {
            if (s instanceof ClientSession cs) {
                cs.executor().execute(
                        () -> subscribeCommands.apiSubscribe(cs, channel, options, recoverSince, expireAt));
                n++;
            }
        }
        return n;
    }

    /** Unsubscribes matching local connections from a channel, with an unsubscribe push (2000). */
    public int unsubscribe(String user, String channel, String client, String session) {
        int n = 0;
        for (HubSession s : select(user, client, session)) {
            if (s instanceof ClientSession cs) {
                cs.executor().execute(() -> subscribeCommands.unsubscribeWithPush(cs, channel,
                        new PushBody.Unsubscribe(2000, "server unsubscribe")));
                n++;
            }
        }
        return n;
    }

    /** Sets a new expiry ({@code expireAt} Unix seconds, 0 = never) or expires matching local connections. */
    public int refresh(String user, String client, String session, boolean expired, long expireAt, byte[] info) {
        int n = 0;
        for (HubSession s : select(user, client, session)) {
            if (expired) {
                s.close(Disconnect.EXPIRED);
                n++;
            } else if (s instanceof ClientSession cs) {
                cs.executor().execute(() -> cs.serverRefresh(expireAt, info));
                n++;
            }
        }
        return n;
    }

    /** Local connections of the default app addressed by the API's user/client/session selectors. */
    public List<HubSession> select(String user, String client, String session) {
        boolean byUser = user != null && !(user.isEmpty() && (notEmpty(client) || notEmpty(session)));
        List<HubSession> candidates;
        if (notEmpty(client)) {
            HubSession s = hub.session(client);
            candidates = s == null ? List.of() : List.of(s);
        } else if (byUser) {
            candidates = hub.userSessions(user);
        } else if (notEmpty(session)) {
            HubSession s = hub.sessionBySessionId(session);
            candidates = s == null ? List.of() : List.of(s);
        } else {
            return List.of();
        }
        List<HubSession> out = new ArrayList<>(candidates.size());
        for (HubSession s : candidates) {
            if (!s.app().equals(ChannelKey.DEFAULT_APP)) {
                continue;
            }
            if (byUser && !s.user().equals(user)) {
                continue;
            }
            if (notEmpty(session) && !session.equals(s.sessionId())) {
                continue;
            }
            out.add(s);
        }
        return out;
    }

    private static boolean notEmpty(String s) {
        return s != null && !s.isEmpty();
    }

    public NodeInfo info() {
        return new NodeInfo(id, name, version, hub.numClients(), hub.numUsers(), hub.numSubscriptions(),
                hub.numChannels(), (clock.nanos() - startedAtNanos) / 1_000_000_000);
    }

    /** Closes every connection with 3001 (shutdown) and stops the engine. */
    public void shutdown() {
        hub.forEachSession(s -> s.close(Disconnect.SHUTDOWN));
        cluster.close();
        broker.close();
        presence.close();
    }

    // ---- broker events ----

    @Override
    public void handlePublication(ChannelKey channel, Publication publication, StreamPosition position) {
        hub.broadcast(channel, new ChannelEvent.Published(publication), publication.offset());
    }

    @Override
    public void handleJoin(ChannelKey channel, ClientInfo info) {
        hub.broadcast(channel, new ChannelEvent.Joined(info), 0);
    }

    @Override
    public void handleLeave(ChannelKey channel, ClientInfo info) {
        hub.broadcast(channel, new ChannelEvent.Left(info), 0);
    }

    @Override
    public void handleInterrupted(ChannelKey channel) {
        hub.streamInterrupted(channel);
    }
}
