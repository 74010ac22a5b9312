package dev.herald.core.proxy;

import java.util.List;

/** What Herald tells the backend about a connecting client; {@code data} is raw JSON or null. */
public record ConnectProxyRequest(String client, String transport, String protocol, String encoding, String name,
                                  String version, byte[] data, List<String> channels) {
}
