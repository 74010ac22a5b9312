package dev.herald.core.client;

import dev.herald.core.auth.SubscribeOptions;
import dev.herald.core.auth.SubscribeToken;
import dev.herald.core.auth.TokenException;
import dev.herald.core.auth.TokenVerifier;
import dev.herald.core.channel.ChannelRules;
import dev.herald.core.codes.Disconnect;
import dev.herald.core.codes.DisconnectException;
import dev.herald.core.codes.ErrorException;
import dev.herald.core.codes.Errors;
import dev.herald.core.config.FrozenConfig;
import dev.herald.core.config.FrozenConfig.ChannelOptions;
import dev.herald.core.engine.Broker;
import dev.herald.core.engine.HistoryQuery;
import dev.herald.core.engine.PresenceManager;
import dev.herald.core.hub.Hub;
import dev.herald.core.time.Clock;
import dev.herald.protocol.ClientInfo;
import dev.herald.protocol.Publication;
import dev.herald.protocol.Push;
import dev.herald.protocol.PushBody;
import dev.herald.protocol.Reply;
import dev.herald.protocol.Request;
import dev.herald.protocol.Result;
import dev.herald.protocol.StreamPosition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** Subscribe, unsubscribe and sub_refresh, plus server-side subscriptions made at connect time or by the API. */
public final class SubscribeCommands {
    private static final Logger log = LoggerFactory.getLogger(SubscribeCommands.class);
    /** How long after a broker interruption deliveries still in flight may land before a position is judged. */
    static final java.time.Duration INTERRUPTION_GRACE = java.time.Duration.ofSeconds(1);

    private final FrozenConfig.Client config;
    private final ChannelRules rules;
    private final TokenVerifier tokenVerifier;
    private final Hub hub;
    private final Broker broker;
    private final PresenceManager presence;
    private final Clock clock;

    SubscribeCommands(FrozenConfig.Client config, ChannelRules rules, TokenVerifier tokenVerifier, Hub hub,
                      Broker broker, PresenceManager presence, Clock clock) {
        this.config = config;
        this.rules = rules;
        this.tokenVerifier = tokenVerifier;
        this.hub = hub;
        this.broker = broker;
        this.presence = presence;
        this.clock = clock;
    }

    /** How a client-side subscription was allowed, with Centrifugo's source numbers. */
    private record Grant(int source, SubscribeToken token) {
    }

    CompletionStage<?> subscribe(ClientSession session, long commandId, Request.Subscribe request) {
        String channel = request.channel();
        ChannelOptions options = rules.options(channel);
        if (!rules.validForClient(channel)) {
            throw new ErrorException(Errors.BAD_REQUEST);
        }
        if (session.subscriptions().containsKey(channel)) {
            throw new ErrorException(Errors.ALREADY_SUBSCRIBED);
        }
        if (session.subscriptions().size() >= config.channelLimit) {
            throw new ErrorException(Errors.LIMIT_EXCEEDED);
        }
        String token = request.token();
        if (token != null && !token.isEmpty()) {
            return tokenVerifier.verifySubscribeToken(token).handle((t, error) -> {
                CompletableFuture<Void> done = new CompletableFuture<>();
                session.onLoop(() -> {
                    try {
                        if (error != null) {
                            Throwable cause = ConnectCommands.unwrap(error);
                            boolean expired = cause instanceof TokenException te
                                    && te.kind() == TokenException.Kind.EXPIRED;
                            session.replyError(commandId, expired ? Errors.TOKEN_EXPIRED : Errors.PERMISSION_DENIED);
                            done.complete(null);
                            return;
                        }
                        if (!t.channel().equals(channel) || !t.user().equals(session.user())
                                || (!t.client().isEmpty() && !t.client().equals(session.id()))) {
                            session.close(Disconnect.INVALID_TOKEN);
                            done.complete(null);
                            return;
                        }
                        complete(session, commandId, request, options, new Grant(3, t), done);
                    } catch (ErrorException e) {
                        session.replyError(commandId, e.error());
                        done.complete(null);
                    }
                });
                return done;
            }).thenCompose(stage -> stage);
        }
        if (rules.isPrivate(channel)) {
            throw new ErrorException(Errors.PERMISSION_DENIED);
        }
        Grant grant;
        String user = session.user();
        if (rules.isUserLimited(channel) && options.allowUserLimitedChannels
                && rules.userAllowed(channel, user)) {
            grant = new Grant(5, null);
        } else if (options.allowSubscribeForClient && (!user.isEmpty() || options.allowSubscribeForAnonymous)) {
            grant = new Grant(6, null);
        } else if (config.insecure) {
            grant = new Grant(7, null);
        } else {
            throw new ErrorException(Errors.PERMISSION_DENIED);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        complete(session, commandId, request, options, grant, done);
        return done;
    }

    /** Adds an allowed client-side subscription and replies. Executor thread. */
    private void complete(ClientSession session, long commandId, Request.Subscribe request, ChannelOptions options,
                          Grant grant, CompletableFuture<Void> done) {
        if (session.closed() || session.subscriptions().containsKey(request.channel())) {
            if (!session.closed()) {
                session.replyError(commandId, Errors.ALREADY_SUBSCRIBED);
            }
            done.complete(null);
            return;
        }
        SubscribeOptions.Override override = grant.token() == null ? null : grant.token().override();
        boolean presencePermission = hasPresencePermission(session, options);
        boolean historyPermission = hasHistoryPermission(session, options);
        boolean history = options.historyEnabled();
        boolean positioned = history && (flag(override == null ? null : override.forcePositioning(), options.forcePositioning)
                || (request.positioned() && (options.allowPositioning || historyPermission)));
        boolean recoverable = history && (flag(override == null ? null : override.forceRecovery(), options.forceRecovery)
                || (request.recoverable() && (options.allowRecovery || historyPermission)));
        boolean joinLeave = flag(override == null ? null : override.joinLeave(), options.joinLeave);
        boolean pushJoinLeave = joinLeave && (flag(override == null ? null : override.forcePushJoinLeave(),
                options.forcePushJoinLeave) || (request.joinLeave() && presencePermission));
        boolean presence = flag(override == null ? null : override.presence(), options.presence);
        SubscribeToken token = grant.token();
        byte[] chanInfo = token == null ? null : token.info();
        long expireAt = token == null ? 0 : token.expireAt();
        Subscription sub = new Subscription(session, request.channel().intern(),
                new ClientInfo(session.user(), session.id(), session.info(), chanInfo), pushJoinLeave, presence,
                false, positioned || recoverable, recoverable, token == null ? null : token.id(),
                token == null ? 0 : token.issuedAt(), grant.source(), expireAt);
        Request.Subscribe recovery = request.recover() ? request : null;
        add(session, sub, options, joinLeave, recovery).whenComplete((result, error) -> session.onLoop(() -> {
            if (error != null) {
                log.warn("client {}: subscribe to {} failed", session.id(), request.channel(),
                        ConnectCommands.unwrap(error));
                session.replyError(commandId, Errors.INTERNAL);
            } else if (!session.closed()) {
                Result.Subscribe withData = withExpiry(withData(result, token == null ? null : token.data()),
                        expireAt);
                session.reply(Reply.ok(commandId, withData));
                sub.release(lastOffset(withData));
                SessionTimers.scheduleSubExpiry(session);
                if (sub.positioned()) {
                    sub.epoch(withData.epoch());
                    SessionTimers.ensurePositionCheck(session);
                }
            }
            done.complete(null);
        }));
    }

    /**
     * Subscribes a connection server-side (connection token channels, connect proxy, personal channel, server API).
     * Publications are held until the caller has sent the subscribe result and calls {@code release}.
     */
    CompletionStage<Result.Subscribe> serverSubscribe(ClientSession session, String channel, SubscribeOptions opts,
                                                      Request.Subscribe hint, int source) {
        return serverSubscribe(session, channel, opts, hint, source, 0);
    }

    /** As above, with the subscription's expiry ({@code expireAt} Unix seconds, 0 = never). */
    private CompletionStage<Result.Subscribe> serverSubscribe(ClientSession session, String channel,
                                                              SubscribeOptions opts, Request.Subscribe hint,
                                                              int source, long expireAt) {
        ChannelOptions options = rules.options(channel);
        SubscribeOptions.Override override = opts == null ? null : opts.override();
        boolean history = options.historyEnabled();
        boolean recoverable = history && flag(override == null ? null : override.forceRecovery(), options.forceRecovery);
        boolean positioned = recoverable
                || (history && flag(override == null ? null : override.forcePositioning(), options.forcePositioning));
        boolean joinLeave = flag(override == null ? null : override.joinLeave(), options.joinLeave);
        boolean pushJoinLeave = joinLeave && flag(override == null ? null : override.forcePushJoinLeave(),
                options.forcePushJoinLeave);
        boolean presence = flag(override == null ? null : override.presence(), options.presence);
        Subscription sub = new Subscription(session, channel.intern(),
                new ClientInfo(session.user(), session.id(), session.info(), opts == null ? null : opts.info()),
                pushJoinLeave, presence, true, positioned, recoverable, null, 0, source, expireAt);
        Request.Subscribe recovery = hint != null && hint.recover() && recoverable ? hint : null;
        return add(session, sub, options, joinLeave, recovery).thenApply(result -> {
            if (sub.positioned()) {
                session.onLoop(() -> {
                    sub.epoch(result.epoch());
                    SessionTimers.ensurePositionCheck(session);
                });
            }
            return withData(result, opts == null ? null : opts.data());
        });
    }

    /**
     * Server API {@code subscribe}: subscribes a live connection and tells it with a {@code subscribe} push. A
     * connection already in the channel is left as it is. Executor thread.
     */
    public void apiSubscribe(ClientSession session, String channel, SubscribeOptions opts) {
        apiSubscribe(session, channel, opts, null, 0);
    }

    /**
     * As above, recovering from {@code recoverSince} (null = no recovery) and expiring at {@code expireAt} (Unix
     * seconds, 0 = never; an expired server-side subscription disconnects with 3006). As in Centrifugo, recovery
     * happens only where the subscription is recoverable (the namespace's or the override's force_recovery); when
     * it succeeds the push carries the {@code recoverSince} offset and the recovered publications follow it as
     * {@code pub} pushes, in order, before any new one, so the client's position ends at the stream's top. An
     * {@code expireAt} already past subscribes no one. Executor thread.
     */
    public void apiSubscribe(ClientSession session, String channel, SubscribeOptions opts,
                             StreamPosition recoverSince, long expireAt) {
        if (!session.connected() || session.subscriptions().containsKey(channel)) {
            return;
        }
        if (expireAt > 0 && expireAt <= clock.millis() / 1000) {
            log.info("client {}: server API subscribe to {} not done: expire_at {} has passed", session.id(), channel,
                    expireAt);
            return;
        }
        Request.Subscribe hint = recoverSince == null ? null : new Request.Subscribe(channel, null, true,
                recoverSince.epoch(), recoverSince.offset(), null, false, false, false, null);
        serverSubscribe(session, channel, opts, hint, 10, expireAt)
                .whenComplete((result, error) -> session.onLoop(() -> {
                    Subscription sub = session.subscriptions().get(channel);
                    if (error != null || sub == null) {
                        log.warn("client {}: server API subscribe to {} failed", session.id(), channel,
                                error == null ? null : ConnectCommands.unwrap(error));
                        return;
                    }
                    long offset = result.recovered() ? recoverSince.offset() : result.offset();
                    session.push(new Push(channel, new PushBody.Subscribe(result.recoverable(), result.epoch(),
                            offset, result.positioned(), result.data())));
                    for (Publication publication : result.publications()) {
                        session.push(new Push(channel, publication));
                    }
                    sub.release(lastOffset(result));
                    if (expireAt > 0) {
                        SessionTimers.scheduleSubExpiry(session);
                    }
                }));
    }

    /**
     * Puts the subscription in the hub (holding deliveries), tells the broker about a first subscriber, adds
     * presence and join, and reads history for position or recovery. Executor thread.
     */
    private CompletionStage<Result.Subscribe> add(ClientSession session, Subscription sub, ChannelOptions options,
                                                  boolean emitJoinLeave, Request.Subscribe recovery) {
        sub.hold();
        session.addSubscription(sub);
        // Presence is written before the reply (as Centrifugo does): a client on another node that asks for
        // presence once this one is subscribed finds it, and a presence manager that cannot write fails the
        // subscribe instead of leaving the client missing from presence.
        CompletionStage<Result.Subscribe> result = hub.addSubscriber(sub)
                .thenCompose(v -> position(sub, options, recovery))
                .thenCompose(r -> sub.presence()
                        ? presence.addPresence(sub.key(), session.id(), sub.info()).thenApply(v -> r)
                        : CompletableFuture.completedFuture(r));
        return result.whenComplete((r, error) -> {
            if (error != null) {
                session.onLoop(() -> rollback(session, sub));
                return;
            }
            if (emitJoinLeave) {
                broker.publishJoin(sub.key(), sub.info());
            }
        });
    }

    private CompletionStage<Result.Subscribe> position(Subscription sub, ChannelOptions options,
                                                       Request.Subscribe recovery) {
        if (!sub.positioned() && !sub.recoverable()) {
            return CompletableFuture.completedFuture(emptyResult(sub));
        }
        int max = config.recoveryMaxPublicationLimit;
        StreamPosition since = recovery == null ? null : new StreamPosition(recovery.offset(), recovery.epoch());
        HistoryQuery query = new HistoryQuery(since, recovery == null ? 0 : max + 1, false, options.historyMetaTtl);
        return broker.history(sub.key(), query).thenApply(page -> {
            StreamPosition top = page.top();
            List<Publication> pubs = List.of();
            boolean recovered = false;
            if (recovery != null) {
                boolean sameEpoch = top.epoch().equals(recovery.epoch());
                List<Publication> got = page.publications();
                boolean complete = sameEpoch && got.size() <= max && (got.isEmpty()
                        ? top.offset() == recovery.offset()
                        : got.getFirst().offset() == recovery.offset() + 1);
                if (complete) {
                    pubs = got;
                    recovered = true;
                }
            }
            return new Result.Subscribe(false, 0, sub.recoverable(), top.epoch(), top.offset(), pubs, recovered,
                    sub.positioned(), null, recovery != null, false);
        });
    }

    private static Result.Subscribe emptyResult(Subscription sub) {
        return new Result.Subscribe(false, 0, false, null, 0, List.of(), false, false, null, false, false);
    }

    private Result.Subscribe withData(Result.Subscribe r, byte[] data) {
        return new Result.Subscribe(r.expires(), r.ttl(), r.recoverable(), r.epoch(), r.offset(), r.publications(),
                r.recovered(), r.positioned(), data, r.wasRecovering(), r.delta());
    }

    private Result.Subscribe withExpiry(Result.Subscribe r, long expireAt) {
        if (expireAt <= 0) {
            return r;
        }
        int ttl = (int) Math.max(0, expireAt - clock.millis() / 1000);
        return new Result.Subscribe(true, ttl, r.recoverable(), r.epoch(), r.offset(), r.publications(),
                r.recovered(), r.positioned(), r.data(), r.wasRecovering(), r.delta());
    }

    /** The last offset a subscribe result leaves the client at: its last recovered publication, or the top. */
    static long lastOffset(Result.Subscribe r) {
        return r.publications() == null || r.publications().isEmpty() ? r.offset()
                : r.publications().getLast().offset();
    }

    /** Undoes a subscribe that failed (broker or history); the hub may have dropped the subscriber already. */
    private void rollback(ClientSession session, Subscription sub) {
        session.removeSubscription(sub.channel());
        hub.removeSubscriber(sub);
    }

    /**
     * Compares each positioned subscription with its stream's top; a lost publication unsubscribes a client-side
     * subscription with 2500 and disconnects for a server-side one with 3010. Executor thread.
     *
     * @return whether the session still has positioned subscriptions to check later
     */
    boolean checkPositions(ClientSession session) {
        boolean any = false;
        // entrySet, not values(): values() would cache a view object in every session's map
        for (Map.Entry<String, Subscription> subEntry : session.subscriptions().entrySet()) {
            Subscription sub = subEntry.getValue();
            if (sub.positioned()) {
                any = true;
                checkPosition(session, sub);
            }
        }
        return any;
    }

    /** One subscription's check (see {@link #checkPositions}); executor thread. */
    void checkPosition(ClientSession session, Subscription sub) {
        broker.history(sub.key(), new HistoryQuery(null, 0, false, null))
                .thenAccept(page -> session.onLoop(() -> {
                    if (session.subscriptions().get(sub.channel()) == sub
                            && !sub.positionValid(page.top().offset(), page.top().epoch())) {
                        insufficientState(session, sub);
                    }
                }));
    }

    /**
     * The subscription lost publications: a client-side one is unsubscribed with 2500, a server-side one costs
     * the connection (3010); either way the client resubscribes with recovery. Executor thread.
     */
    void insufficientState(ClientSession session, Subscription sub) {
        if (session.closed() || session.subscriptions().get(sub.channel()) != sub) {
            return;
        }
        if (sub.serverSide()) {
            session.close(Disconnect.INSUFFICIENT_STATE);
        } else {
            unsubscribeWithPush(session, sub.channel(), new PushBody.Unsubscribe(2500, "insufficient state"));
        }
    }

    /**
     * After the broker's subscription to the channel was interrupted: the stream's top is taken now, and compared
     * with what the connection got {@link #INTERRUPTION_GRACE} later (publications still in flight land meanwhile).
     * A publication sent during the interruption never arrives, so the client is told and recovers. Executor thread.
     */
    void checkAfterInterruption(ClientSession session, Subscription sub) {
        checkPosition(session, sub);
        session.shared().scheduler.schedule(() -> session.onLoop(() -> {
            if (!session.closed() && session.subscriptions().get(sub.channel()) == sub) {
                checkPosition(session, sub);
            }
        }), INTERRUPTION_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    }

    CompletionStage<?> unsubscribe(ClientSession session, long commandId, Request.Unsubscribe request) {
        Subscription sub = session.removeSubscription(request.channel());
        if (sub != null) {
            leave(sub);
        }
        session.reply(Reply.ok(commandId, new Result.Unsubscribe()));
        return null;
    }

    /** Removes a subscription and tells the client why with an unsubscribe push. Executor thread. */
    public void unsubscribeWithPush(ClientSession session, String channel, PushBody.Unsubscribe reason) {
        Subscription sub = session.removeSubscription(channel);
        if (sub == null) {
            return;
        }
        leave(sub);
        session.push(new Push(channel, reason));
    }

    /** Takes a subscription out of the hub, presence and the broker, and announces the leave. */
    void leave(Subscription sub) {
        hub.removeSubscriber(sub);
        ChannelOptions options;
        try {
            options = rules.options(sub.channel());
        } catch (ErrorException e) {
            return;
        }
        if (sub.presence()) {
            presence.removePresence(sub.key(), sub.session().id(), sub.session().user());
        }
        if (options.joinLeave) {
            broker.publishLeave(sub.key(), sub.info());
        }
    }

    CompletionStage<?> subRefresh(ClientSession session, long commandId, Request.SubRefresh request) {
        String token = request.token();
        if (token == null || token.isEmpty()) {
            throw new DisconnectException(Disconnect.BAD_REQUEST);
        }
        return tokenVerifier.verifySubscribeToken(token).handle((t, error) -> {
            session.onLoop(() -> {
                if (session.closed()) {
                    return;
                }
                if (error != null) {
                    Throwable cause = ConnectCommands.unwrap(error);
                    boolean expired = cause instanceof TokenException te && te.kind() == TokenException.Kind.EXPIRED;
                    if (expired) {
                        session.close(Disconnect.SUBSCRIPTION_EXPIRED);
                    } else {
                        session.close(Disconnect.INVALID_TOKEN);
                    }
                    return;
                }
                Subscription sub = session.subscriptions().get(request.channel());
                if (!t.channel().equals(request.channel()) || !t.user().equals(session.user())
                        || (!t.client().isEmpty() && !t.client().equals(session.id()))) {
                    session.close(Disconnect.INVALID_TOKEN);
                    return;
                }
                if (sub == null) {
                    session.replyError(commandId, Errors.PERMISSION_DENIED);
                    return;
                }
                sub.expireAt(t.expireAt());
                SessionTimers.scheduleSubExpiry(session);
                int ttl = t.expireAt() > 0 ? (int) Math.max(0, t.expireAt() - clock.millis() / 1000) : 0;
                session.reply(Reply.ok(commandId, new Result.SubRefresh(t.expireAt() > 0, ttl)));
            });
            return null;
        });
    }

    /** Presence access of a client that is subscribing (so counts as a subscriber). */
    private boolean hasPresencePermission(ClientSession session, ChannelOptions options) {
        return permitted(config.insecure, session, options.allowPresenceForClient, options.allowPresenceForAnonymous,
                options.allowPresenceForSubscriber, true);
    }

    /** History access of a client that is subscribing (so counts as a subscriber). */
    private boolean hasHistoryPermission(ClientSession session, ChannelOptions options) {
        return permitted(config.insecure, session, options.allowHistoryForClient, options.allowHistoryForAnonymous,
                options.allowHistoryForSubscriber, true);
    }

    /** Centrifugo's permission rule shared by publish, presence and history ({@code insecure} allows all). */
    static boolean permitted(boolean insecure, ClientSession session, boolean forClient, boolean forAnonymous,
                             boolean forSubscriber, boolean subscribed) {
        if (insecure) {
            return true;
        }
        if (session.user().isEmpty() ? forAnonymous : forClient) {
            return true;
        }
        return forSubscriber && subscribed;
    }

    private static boolean flag(Boolean override, boolean dflt) {
        return override != null ? override : dflt;
    }
}
