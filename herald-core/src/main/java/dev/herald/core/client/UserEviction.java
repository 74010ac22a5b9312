package dev.herald.core.client;

/**
 * Centrifugo's {@code single_connection}: a user's new connection makes the node close the older ones. The node
 * provides it (it knows which connections it addresses); the connect flow only asks for it.
 */
@FunctionalInterface
public interface UserEviction {
    /**
     * Closes {@code user}'s connections other than {@code keepClientId} with 3504 (connection limit). The local
     * ones have left the hub when this returns, so a user connection limit checked next does not count them.
     */
    void closeOthers(String user, String keepClientId);
}
