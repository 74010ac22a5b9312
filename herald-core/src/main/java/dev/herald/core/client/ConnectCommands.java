package dev.herald.core.client;

import dev.herald.core.auth.ConnectToken;
import dev.herald.core.auth.SubscribeOptions;
import dev.herald.core.auth.TokenException;
import dev.herald.core.auth.TokenVerifier;
import dev.herald.core.channel.ChannelRules;
import dev.herald.core.codes.Disconnect;
import dev.herald.core.codes.DisconnectException;
import dev.herald.core.codes.ErrorException;
import dev.herald.core.codes.Errors;
import dev.herald.core.config.FrozenConfig;
import dev.herald.core.hub.Hub;
import dev.herald.core.proxy.ConnectProxy;
import dev.herald.core.proxy.ConnectProxyRequest;
import dev.herald.core.proxy.ConnectProxyResult;
import dev.herald.core.time.Clock;
import dev.herald.protocol.Push;
import dev.herald.protocol.Reply;
import dev.herald.protocol.ReplyError;
import dev.herald.protocol.Request;
import dev.herald.protocol.Result;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/** The connect and refresh commands: credentials from a token, a connect proxy or anonymous access. */
final class ConnectCommands {
    private static final Logger log = LoggerFactory.getLogger(ConnectCommands.class);

    private final FrozenConfig.Client config;
    private final ChannelRules rules;
    private final TokenVerifier tokenVerifier;
    /** Null when no connect proxy is configured. */
    private final ConnectProxy connectProxy;
    private final Hub hub;
    private final Clock clock;
    private final SubscribeCommands subscribeCommands;
    private final String nodeId;
    private final String version;
    private final ClusterUsers users;

    /**
     * @param connectProxy      the connect proxy asked for credentials of a connect without a token, or null
     * @param subscribeCommands makes the server-side subscriptions a connect brings
     * @param nodeId            the node id an emulation session's connect result names
     * @param version           the server version of connect and refresh results
     * @param users             the user rules across the cluster: single connection, connection limit
     */
    ConnectCommands(FrozenConfig.Client config, ChannelRules rules, TokenVerifier tokenVerifier,
                    ConnectProxy connectProxy, Hub hub, Clock clock, SubscribeCommands subscribeCommands,
                    String nodeId, String version, ClusterUsers users) {
        this.config = config;
        this.rules = rules;
        this.tokenVerifier = tokenVerifier;
        this.connectProxy = connectProxy;
        this.hub = hub;
        this.clock = clock;
        this.subscribeCommands = subscribeCommands;
        this.nodeId = nodeId;
        this.version = version;
        this.users = users;
    }

    CompletionStage<?> connect(ClientSession session, long commandId, Request.Connect request) {
        CompletionStage<Credentials> credentials = credentials(session, request);
        return credentials.handle((creds, error) -> {
            CompletableFuture<Void> done = new CompletableFuture<>();
            session.onLoop(() -> {
                try {
                    if (error != null) {
                        failConnect(session, commandId, unwrap(error));
                        done.complete(null);
                    } else {
                        finishConnect(session, commandId, request, creds).whenComplete((r, e) -> done.complete(null));
                    }
                } catch (RuntimeException e) {
                    failConnect(session, commandId, e);
                    done.complete(null);
                }
            });
            return done;
        }).thenCompose(stage -> stage);
    }

    private CompletionStage<Credentials> credentials(ClientSession session, Request.Connect request) {
        String token = request.token();
        if (token != null && !token.isEmpty()) {
            return tokenVerifier.verifyConnectToken(token).thenApply(ConnectCommands::fromToken);
        }
        if (connectProxy != null) {
            ConnectProxyRequest proxyRequest = new ConnectProxyRequest(session.id(), session.transport().name(),
                    session.protocol().wireName(), request.name(), request.version(), request.data(),
                    request.subs() == null ? List.of() : List.copyOf(request.subs().keySet()),
                    session.transport().requestHeaders());
            return connectProxy.connect(proxyRequest).thenApply(ConnectCommands::fromProxy);
        }
        if (config.insecure || config.allowAnonymousConnectWithoutToken) {
            return CompletableFuture.completedFuture(Credentials.anonymous());
        }
        return CompletableFuture.failedFuture(new DisconnectException(Disconnect.BAD_REQUEST));
    }

    private static Credentials fromToken(ConnectToken t) {
        return new Credentials(t.user(), t.expireAt(), t.info(), t.meta(), null, t.id(), t.issuedAt(),
                t.channels() == null ? List.of() : t.channels(), t.subs() == null ? Map.of() : t.subs(), 1, true);
    }

    private static Credentials fromProxy(ConnectProxyResult r) {
        return new Credentials(r.user() == null ? "" : r.user(), r.expireAt(), r.info(), r.meta(), r.data(), null, 0,
                r.channels() == null ? List.of() : r.channels(), r.subs() == null ? Map.of() : r.subs(), 2, false);
    }

    /** Runs on the session's executor. */
    private CompletionStage<Void> finishConnect(ClientSession session, long commandId, Request.Connect request,
                                                Credentials creds) {
        if (session.closed()) {
            return CompletableFuture.completedFuture(null);
        }
        long expireAt = config.insecure ? 0 : creds.expireAt();
        long now = clock.millis() / 1000;
        if (expireAt > 0 && expireAt <= now) {
            if (creds.fromToken()) {
                throw new TokenFailure(TokenException.Kind.EXPIRED);
            }
            throw new ErrorException(Errors.EXPIRED);
        }
        if (creds.fromToken() && creds.user().isEmpty() && config.disallowAnonymousConnectionTokens) {
            throw new DisconnectException(Disconnect.PERMISSION_DENIED);
        }
        Map<String, SubscribeOptions> serverSubs = serverSideChannels(creds);
        if (serverSubs.size() > config.channelLimit) {
            throw new DisconnectException(Disconnect.CHANNEL_LIMIT);
        }
        for (String channel : serverSubs.keySet()) {
            rules.options(channel);
        }
        Credentials effective = expireAt == creds.expireAt() ? creds : new Credentials(creds.user(), expireAt,
                creds.info(), creds.meta(), creds.data(), creds.tokenId(), creds.tokenIssuedAt(), creds.channels(),
                creds.subs(), creds.source(), creds.fromToken());
        session.assumeUser(effective.user());
        if (singleConnection(effective.user())) {
            // Centrifugo's single_connection: the new connection wins, the user's older ones go with 3504 (the
            // local ones have left the hub when closeOthers returns, so the limit below sees none).
            users.closeOthers(effective.user(), session.id(), clock.millis());
        }
        if (config.userConnectionLimit <= 0 || effective.user().isEmpty()) {
            return admit(session, commandId, request, effective, serverSubs, 0);
        }
        // The limit counts the user's connections on every node: ask the others first.
        CompletableFuture<Void> done = new CompletableFuture<>();
        users.countOnOtherNodes(effective.user()).whenComplete((elsewhere, error) -> session.onLoop(() -> {
            try {
                if (session.closed()) {
                    done.complete(null);
                    return;
                }
                admit(session, commandId, request, effective, serverSubs, error == null ? elsewhere : 0)
                        .whenComplete((r, e) -> done.complete(null));
            } catch (RuntimeException e) {
                failConnect(session, commandId, e);
                done.complete(null);
            }
        }));
        return done;
    }

    /**
     * Joins the hub (unless the user's {@code elsewhere} connections on other nodes plus those here reach the
     * limit), then makes the server-side subscriptions and replies. Runs on the session's executor.
     */
    private CompletionStage<Void> admit(ClientSession session, long commandId, Request.Connect request,
                                        Credentials effective, Map<String, SubscribeOptions> serverSubs,
                                        int elsewhere) {
        int limit = config.userConnectionLimit;
        if (limit > 0 && (elsewhere >= limit || !hub.addSession(session, limit - elsewhere))) {
            throw new DisconnectException(Disconnect.CONNECTION_LIMIT);
        }
        if (limit <= 0 && !hub.addSession(session, 0)) {
            throw new DisconnectException(Disconnect.CONNECTION_LIMIT);
        }
        session.markConnected(effective, request.name(), request.version());

        Map<String, Request.Subscribe> hints = request.subs() == null ? Map.of() : request.subs();
        List<CompletionStage<Map.Entry<String, Result.Subscribe>>> pending = new ArrayList<>();
        for (Map.Entry<String, SubscribeOptions> e : serverSubs.entrySet()) {
            int source = e.getKey().equals(personalChannel(effective.user())) ? 9 : effective.source();
            pending.add(subscribeCommands
                    .serverSubscribe(session, e.getKey(), e.getValue(), hints.get(e.getKey()), source)
                    .thenApply(result -> Map.entry(e.getKey(), result)));
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(
                pending.stream().map(CompletionStage::toCompletableFuture).toArray(CompletableFuture[]::new));
        CompletableFuture<Void> done = new CompletableFuture<>();
        all.whenComplete((r, error) -> session.onLoop(() -> {
            if (error != null) {
                log.warn("client {}: server-side subscription failed", session.id(), unwrap(error));
                session.close(Disconnect.INTERNAL);
                done.complete(null);
                return;
            }
            Map<String, Result.Subscribe> subs = new LinkedHashMap<>();
            for (var stage : pending) {
                var entry = stage.toCompletableFuture().join();
                subs.put(entry.getKey(), entry.getValue());
            }
            Result.Connect result = connectResult(session, effective.data(), subs);
            if (session.transport().unidirectional()) {
                session.push(new Push("", result));
            } else {
                session.reply(Reply.ok(commandId, result));
            }
            // entrySet, not values(): values() would cache a view object in every session's map
            for (Map.Entry<String, Subscription> subEntry : session.subscriptions().entrySet()) {
                Subscription sub = subEntry.getValue();
                Result.Subscribe subscribed = subs.get(sub.channel());
                sub.release(subscribed == null ? 0 : SubscribeCommands.lastOffset(subscribed));
            }
            SessionTimers.scheduleSubExpiry(session);
            done.complete(null);
        }));
        return done;
    }

    /** Builds the connect result shared by the connect reply and the unidirectional connect push. */
    private Result.Connect connectResult(ClientSession session, byte[] data, Map<String, Result.Subscribe> subs) {
        boolean expires = session.expireAt() > 0;
        int ttl = expires ? (int) Math.max(0, session.expireAt() - clock.millis() / 1000) : 0;
        var cfg = config;
        boolean pong = !session.transport().unidirectional() && cfg.pongTimeout.toMillis() > 0;
        return new Result.Connect(session.id(), version, expires, ttl, data, subs.isEmpty() ? null : subs,
                (int) cfg.pingInterval.toSeconds(), pong, session.sessionId().isEmpty() ? null : session.sessionId(),
                session.transport().emulation() ? nodeId : null,
                cfg.connectIncludeServerTime ? clock.millis() : 0);
    }

    private Map<String, SubscribeOptions> serverSideChannels(Credentials creds) {
        Map<String, SubscribeOptions> out = new LinkedHashMap<>();
        if (creds.subs() != null && !creds.subs().isEmpty()) {
            out.putAll(creds.subs());
        } else if (creds.channels() != null) {
            for (String channel : creds.channels()) {
                out.put(channel, null);
            }
        }
        String personal = personalChannel(creds.user());
        if (personal != null) {
            out.putIfAbsent(personal, null);
        }
        return out;
    }

    private boolean singleConnection(String user) {
        FrozenConfig.PersonalChannel personal = config.subscribeToUserPersonalChannel;
        return personal.enabled && personal.singleConnection && !user.isEmpty();
    }

    private String personalChannel(String user) {
        FrozenConfig.PersonalChannel personal = config.subscribeToUserPersonalChannel;
        if (!personal.enabled || user.isEmpty()) {
            return null;
        }
        return rules.personalChannel(personal.personalChannelNamespace, user);
    }

    /** Maps a failed connect to what the client gets; runs on the session's executor. */
    private void failConnect(ClientSession session, long commandId, Throwable error) {
        boolean uni = session.transport().unidirectional();
        if (error instanceof TokenException te) {
            error = new TokenFailure(te.kind());
        }
        switch (error) {
            case TokenFailure tf when tf.kind == TokenException.Kind.EXPIRED -> {
                if (uni) {
                    session.close(Disconnect.EXPIRED);
                } else {
                    session.markUnusable();
                    session.replyError(commandId, Errors.TOKEN_EXPIRED);
                }
            }
            case TokenFailure tf -> session.close(Disconnect.INVALID_TOKEN);
            case DisconnectException de -> session.close(de.disconnect());
            case ErrorException ee -> {
                if (uni) {
                    session.close(uniDisconnect(ee.error()));
                } else {
                    session.markUnusable();
                    session.replyError(commandId, ee.error());
                }
            }
            default -> {
                log.warn("client {}: connect failed", session.id(), error);
                if (uni) {
                    session.close(Disconnect.INTERNAL);
                } else {
                    session.markUnusable();
                    session.replyError(commandId, Errors.INTERNAL);
                }
            }
        }
    }

    /** Unidirectional clients cannot read error replies: the reference's mapping of codes to disconnects. */
    private static Disconnect uniDisconnect(ReplyError error) {
        return switch (error.code()) {
            case 109, 110 -> Disconnect.EXPIRED;
            case 111 -> Disconnect.TOO_MANY_REQUESTS;
            case 103 -> Disconnect.PERMISSION_DENIED;
            default -> Disconnect.INTERNAL;
        };
    }

    CompletionStage<?> refresh(ClientSession session, long commandId, Request.Refresh request) {
        String token = request.token();
        if (token == null || token.isEmpty()) {
            throw new DisconnectException(Disconnect.BAD_REQUEST);
        }
        return tokenVerifier.verifyConnectToken(token).handle((t, error) -> {
            session.onLoop(() -> {
                if (session.closed()) {
                    return;
                }
                if (error != null) {
                    Throwable cause = unwrap(error);
                    if (cause instanceof TokenException te && te.kind() == TokenException.Kind.EXPIRED) {
                        session.close(Disconnect.EXPIRED);
                    } else {
                        session.close(Disconnect.INVALID_TOKEN);
                    }
                    return;
                }
                if (!t.user().equals(session.user())) {
                    session.close(Disconnect.INVALID_TOKEN);
                    return;
                }
                long expireAt = config.insecure ? 0 : t.expireAt();
                session.updateCredentials(expireAt, t.info(), t.id(), t.issuedAt());
                int ttl = expireAt > 0 ? (int) Math.max(0, expireAt - clock.millis() / 1000) : 0;
                session.reply(Reply.ok(commandId,
                        new Result.Refresh(session.id(), version, expireAt > 0, ttl)));
            });
            return null;
        });
    }

    static Throwable unwrap(Throwable error) {
        while (error instanceof CompletionException && error.getCause() != null) {
            error = error.getCause();
        }
        return error;
    }

    /** A token problem found after verification (e.g. an expiry already passed); carries no stack trace. */
    private static final class TokenFailure extends RuntimeException {
        final TokenException.Kind kind;

        TokenFailure(TokenException.Kind kind) {
            super(kind.name(), null, false, false);
            this.kind = kind;
        }
    }
}
