package dev.herald.core.client;

import dev.herald.core.channel.ChannelKey;
import dev.herald.core.channel.ChannelRules;
import dev.herald.core.codes.ErrorException;
import dev.herald.core.codes.Errors;
import dev.herald.core.config.FrozenConfig;
import dev.herald.core.config.FrozenConfig.ChannelOptions;
import dev.herald.core.engine.PresenceManager;
import dev.herald.protocol.ClientInfo;
import dev.herald.protocol.Reply;
import dev.herald.protocol.ReplyError;
import dev.herald.protocol.Request;
import dev.herald.protocol.Result;
import dev.herald.protocol.StreamPosition;

import java.util.concurrent.CompletionStage;

/** Client publish, presence, presence_stats, history and rpc. */
final class ChannelCommands {
    private final FrozenConfig.Client config;
    private final FrozenConfig.RpcPing ping;
    private final ChannelRules rules;
    private final PresenceManager presence;
    private final ChannelStreams streams;

    /**
     * @param ping    the built-in rpc method (Centrifugo's {@code rpc.ping}), the only rpc this node answers
     * @param streams where client publish and history go: the node's path, shared with the server API
     */
    ChannelCommands(FrozenConfig.Client config, FrozenConfig.RpcPing ping, ChannelRules rules,
                    PresenceManager presence, ChannelStreams streams) {
        this.config = config;
        this.ping = ping;
        this.rules = rules;
        this.presence = presence;
        this.streams = streams;
    }

    CompletionStage<?> publish(ClientSession session, long commandId, Request.Publish request) {
        String channel = request.channel();
        ChannelOptions options = rules.options(channel);
        Subscription sub = session.subscriptions().get(channel);
        if (!SubscribeCommands.permitted(config.insecure, session, options.allowPublishForClient,
                options.allowPublishForAnonymous, options.allowPublishForSubscriber, sub != null)) {
            throw new ErrorException(Errors.PERMISSION_DENIED);
        }
        if (request.data() == null) {
            throw new ErrorException(Errors.BAD_REQUEST);
        }
        ClientInfo info = sub != null ? sub.info()
                : new ClientInfo(session.user(), session.id(), session.info(), null);
        return streams.publish(channel, request.data(), info)
                .handle((outcome, error) -> {
                    session.onLoop(() -> session.reply(error == null
                            ? Reply.ok(commandId, new Result.Publish())
                            : Reply.error(commandId, errorOf(error))));
                    return null;
                });
    }

    CompletionStage<?> presence(ClientSession session, long commandId, Request.Presence request) {
        checkPresence(session, request.channel());
        return presence.presence(new ChannelKey(session.app(), request.channel())).handle((map, error) -> {
            session.onLoop(() -> session.reply(error == null
                    ? Reply.ok(commandId, new Result.Presence(map))
                    : Reply.error(commandId, errorOf(error))));
            return null;
        });
    }

    CompletionStage<?> presenceStats(ClientSession session, long commandId, Request.PresenceStats request) {
        checkPresence(session, request.channel());
        return presence.presenceStats(new ChannelKey(session.app(), request.channel())).handle((stats, error) -> {
            session.onLoop(() -> session.reply(error == null
                    ? Reply.ok(commandId, new Result.PresenceStats(stats.numClients(), stats.numUsers()))
                    : Reply.error(commandId, errorOf(error))));
            return null;
        });
    }

    private void checkPresence(ClientSession session, String channel) {
        ChannelOptions options = rules.options(channel);
        if (!options.presence) {
            throw new ErrorException(Errors.NOT_AVAILABLE);
        }
        if (!SubscribeCommands.permitted(config.insecure, session, options.allowPresenceForClient,
                options.allowPresenceForAnonymous, options.allowPresenceForSubscriber,
                session.subscriptions().containsKey(channel))) {
            throw new ErrorException(Errors.PERMISSION_DENIED);
        }
    }

    CompletionStage<?> history(ClientSession session, long commandId, Request.History request) {
        String channel = request.channel();
        ChannelOptions options = rules.options(channel);
        if (!options.historyEnabled()) {
            throw new ErrorException(Errors.NOT_AVAILABLE);
        }
        if (!SubscribeCommands.permitted(config.insecure, session, options.allowHistoryForClient,
                options.allowHistoryForAnonymous, options.allowHistoryForSubscriber,
                session.subscriptions().containsKey(channel))) {
            throw new ErrorException(Errors.PERMISSION_DENIED);
        }
        int max = config.historyMaxPublicationLimit;
        int limit = request.limit();
        if (limit < 0 || limit > max) {
            limit = max;
        }
        StreamPosition since = request.since();
        if (request.reverse() && since != null && since.offset() == 0) {
            throw new ErrorException(Errors.BAD_REQUEST);
        }
        return streams.history(channel, since, limit, request.reverse()).handle((page, error) -> {
            session.onLoop(() -> session.reply(error == null
                    ? Reply.ok(commandId, new Result.History(page.publications(), page.top().offset(),
                    page.top().epoch()))
                    : Reply.error(commandId, errorOf(error))));
            return null;
        });
    }

    CompletionStage<?> rpc(ClientSession session, long commandId, Request.Rpc request) {
        if (!ping.enabled) {
            throw new ErrorException(Errors.NOT_AVAILABLE);
        }
        if (!ping.method.equals(request.method())) {
            throw new ErrorException(Errors.METHOD_NOT_FOUND);
        }
        session.reply(Reply.ok(commandId, new Result.Rpc(null)));
        return null;
    }

    private static ReplyError errorOf(Throwable error) {
        Throwable cause = ConnectCommands.unwrap(error);
        return cause instanceof ErrorException e ? e.error() : Errors.INTERNAL;
    }
}
