package dev.herald.core.client;

import java.util.concurrent.CompletionStage;

/**
 * The rules on a user's connections that hold across the cluster: Centrifugo's {@code single_connection} and
 * {@code client.user_connection_limit} (which Centrifugo counts per node; Herald counts every node). The node
 * provides it (it knows the other nodes); the connect flow only asks.
 */
public interface ClusterUsers {
    /**
     * Closes {@code user}'s other connections with 3504 (connection limit): the local ones at once (they have left
     * the hub when this returns, so a limit checked next does not count them), and on the other nodes those that
     * connected before {@code connectedAtMillis}, shortly after (so of two connections made at once on two nodes,
     * the newer one stays).
     */
    void closeOthers(String user, String keepClientId, long connectedAtMillis);

    /**
     * How many connections {@code user} holds on the other nodes. Completes within a short timeout, counting the
     * nodes that answered (a node that did not answer counts 0: the limit is best effort across a partition); a
     * single node completes with 0 at once. Never fails.
     */
    CompletionStage<Integer> countOnOtherNodes(String user);
}
