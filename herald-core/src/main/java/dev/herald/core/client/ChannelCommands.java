package dev.herald.core.client;

import dev.herald.core.channel.ChannelKey;
import dev.herald.core.Node;
import dev.herald.core.codes.ErrorException;
import dev.herald.core.codes.Errors;
import dev.herald.core.config.HeraldConfig;
import dev.herald.core.config.HeraldConfig.ChannelOptions;
import dev.herald.protocol.ClientInfo;
import dev.herald.protocol.Reply;
import dev.herald.protocol.ReplyError;
import dev.herald.protocol.Request;
import dev.herald.protocol.Result;
import dev.herald.protocol.StreamPosition;

import java.util.concurrent.CompletionStage;

/** Client publish, presence, presence_stats, history and rpc. */
public final class ChannelCommands {
    private final Node node;
    private final HeraldConfig config;

    public ChannelCommands(Node node) {
        this.node = node;
        this.config = node.config();
    }

    CompletionStage<?> publish(ClientSession session, long commandId, Request.Publish request) {
        String channel = request.channel();
        ChannelOptions options = node.rules().options(channel);
        Subscription sub = session.subscriptions().get(channel);
        if (!node.subscribeCommands().permitted(session, options.allowPublishForClient,
                options.allowPublishForAnonymous, options.allowPublishForSubscriber, sub != null)) {
            throw new ErrorException(Errors.PERMISSION_DENIED);
        }
        if (request.data() == null) {
            throw new ErrorException(Errors.BAD_REQUEST);
        }
        ClientInfo info = sub != null ? sub.info()
                : new ClientInfo(session.user(), session.id(), session.info(), null);
        return node.publish(channel, request.data(), info, null, false, null)
                .handle((outcome, error) -> {
                    session.onLoop(() -> session.reply(error == null
                            ? Reply.ok(commandId, new Result.Publish())
                            : Reply.error(commandId, errorOf(error))));
                    return null;
                });
    }

    CompletionStage<?> presence(ClientSession session, long commandId, Request.Presence request) {
        checkPresence(session, request.channel());
        return node.presence().presence(new ChannelKey(session.app(), request.channel())).handle((map, error) -> {
            session.onLoop(() -> session.reply(error == null
                    ? Reply.ok(commandId, new Result.Presence(map))
                    : Reply.error(commandId, errorOf(error))));
            return null;
        });
    }

    CompletionStage<?> presenceStats(ClientSession session, long commandId, Request.PresenceStats request) {
        checkPresence(session, request.channel());
        return node.presence().presenceStats(new ChannelKey(session.app(), request.channel())).handle((stats, error) -> {
            session.onLoop(() -> session.reply(error == null
                    ? Reply.ok(commandId, new Result.PresenceStats(stats.numClients(), stats.numUsers()))
                    : Reply.error(commandId, errorOf(error))));
            return null;
        });
    }

    private void checkPresence(ClientSession session, String channel) {
        ChannelOptions options = node.rules().options(channel);
        if (!options.presence) {
            throw new ErrorException(Errors.NOT_AVAILABLE);
        }
        if (!node.subscribeCommands().permitted(session, options.allowPresenceForClient,
                options.allowPresenceForAnonymous, options.allowPresenceForSubscriber,
                session.subscriptions().containsKey(channel))) {
            throw new ErrorException(Errors.PERMISSION_DENIED);
        }
    }

    CompletionStage<?> history(ClientSession session, long commandId, Request.History request) {
        String channel = request.channel();
        ChannelOptions options = node.rules().options(channel);
        if (!options.historyEnabled()) {
            throw new ErrorException(Errors.NOT_AVAILABLE);
        }
        if (!node.subscribeCommands().permitted(session, options.allowHistoryForClient,
                options.allowHistoryForAnonymous, options.allowHistoryForSubscriber,
                session.subscriptions().containsKey(channel))) {
            throw new ErrorException(Errors.PERMISSION_DENIED);
        }
        int max = config.client.historyMaxPublicationLimit;
        int limit = request.limit();
        if (limit < 0 || limit > max) {
            limit = max;
        }
        StreamPosition since = request.since();
        if (request.reverse() && since != null && since.offset() == 0) {
            throw new ErrorException(Errors.BAD_REQUEST);
        }
        return node.history(channel, since, limit, request.reverse()).handle((page, error) -> {
            session.onLoop(() -> session.reply(error == null
                    ? Reply.ok(commandId, new Result.History(page.publications(), page.top().offset(),
                    page.top().epoch()))
                    : Reply.error(commandId, errorOf(error))));
            return null;
        });
    }

    CompletionStage<?> rpc(ClientSession session, long commandId, Request.Rpc request) {
        HeraldConfig.RpcPing ping = config.rpc.ping;
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
