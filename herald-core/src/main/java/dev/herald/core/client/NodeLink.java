package dev.herald.core.client;

/**
 * What the node that owns the client sessions gives them besides its engines: who it is (connect and refresh
 * results carry the version, emulation sessions the node id) and the two node actions client commands take part in.
 *
 * @param id       the node's id, which emulation requests are routed by
 * @param version  the server version reported in connect and refresh results
 * @param streams  client publish and history
 * @param users    the rules on a user's connections across the cluster (single connection, connection limit)
 */
public record NodeLink(String id, String version, ChannelStreams streams, ClusterUsers users) {
}
