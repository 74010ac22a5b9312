package dev.herald.core.engine;

import dev.herald.core.channel.ChannelKey;
import dev.herald.protocol.ClientInfo;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/** Presence kept in this node's memory; entries live exactly as long as the subscription. */
public final class MemoryPresenceManager implements PresenceManager {
    private final ConcurrentHashMap<ChannelKey, ConcurrentHashMap<String, ClientInfo>> channels =
            new ConcurrentHashMap<>();

    @Override
    public CompletionStage<Map<String, ClientInfo>> presence(ChannelKey channel) {
        Map<String, ClientInfo> entries = channels.get(channel);
        return CompletableFuture.completedFuture(entries == null ? Map.of() : Map.copyOf(entries));
    }

    @Override
    public CompletionStage<PresenceStats> presenceStats(ChannelKey channel) {
        Map<String, ClientInfo> entries = channels.get(channel);
        if (entries == null) {
            return CompletableFuture.completedFuture(new PresenceStats(0, 0));
        }
        Set<String> users = new HashSet<>();
        int clients = 0;
        for (ClientInfo info : entries.values()) {
            clients++;
            users.add(info.user());
        }
        return CompletableFuture.completedFuture(new PresenceStats(clients, users.size()));
    }

    @Override
    public CompletionStage<Void> addPresence(ChannelKey channel, String clientId, ClientInfo info) {
        channels.computeIfAbsent(channel, k -> new ConcurrentHashMap<>()).put(clientId, info);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> removePresence(ChannelKey channel, String clientId, String user) {
        // compute keeps removal of the last entry and removal of the channel atomic against a concurrent add.
        channels.computeIfPresent(channel, (k, entries) -> {
            entries.remove(clientId);
            return entries.isEmpty() ? null : entries;
        });
        return CompletableFuture.completedFuture(null);
    }
}
