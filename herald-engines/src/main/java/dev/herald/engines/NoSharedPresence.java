package dev.herald.engines;

import dev.herald.core.channel.ChannelKey;
import dev.herald.core.codes.ErrorException;
import dev.herald.core.codes.Errors;
import dev.herald.core.engine.PresenceManager;
import dev.herald.protocol.ClientInfo;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Presence for a cluster whose broker is shared (NATS, or a Redis broker section) but whose presence manager is
 * not: each node's memory would list only its own clients, a wrong answer presented as a right one. Reads answer
 * 108 "not available" instead, as Centrifugo's NATS broker does without a presence manager; subscribing to a
 * channel with presence still works (adding and removing entries do nothing), so join/leave and delivery go on.
 * Configure {@code presence_manager.type: redis} for cluster-wide presence.
 */
public final class NoSharedPresence implements PresenceManager {

    @Override
    public CompletionStage<Map<String, ClientInfo>> presence(ChannelKey channel) {
        return CompletableFuture.failedFuture(new ErrorException(Errors.NOT_AVAILABLE));
    }

    @Override
    public CompletionStage<PresenceStats> presenceStats(ChannelKey channel) {
        return CompletableFuture.failedFuture(new ErrorException(Errors.NOT_AVAILABLE));
    }

    @Override
    public CompletionStage<Void> addPresence(ChannelKey channel, String clientId, ClientInfo info) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> removePresence(ChannelKey channel, String clientId, String user) {
        return CompletableFuture.completedFuture(null);
    }
}
