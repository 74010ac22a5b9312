package dev.herald.protocol;

/** Who a client is, as shown to other clients: {@code user} and {@code client} are always written. */
public record ClientInfo(String user, String client, byte[] connInfo, byte[] chanInfo) {
}
