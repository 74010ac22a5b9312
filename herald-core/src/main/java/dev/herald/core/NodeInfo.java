package dev.herald.core;

/** One node's figures, as the {@code info} API reports them. Uptime in seconds. */
public record NodeInfo(String uid, String name, String version, int numClients, int numUsers, int numSubs,
                       int numChannels, long uptime) {
}
