package dev.herald.core.proxy;

import java.util.List;
import java.util.Map;

/**
 * What Herald tells the backend about a connecting client; {@code data} is the client's raw bytes (JSON for a JSON
 * client) or null. {@code headers} are the forwarded headers of the client's HTTP request (lower-case names). How
 * {@code data} travels ({@code data} or {@code b64data}, and the {@code encoding} field) is the proxy's choice.
 */
public record ConnectProxyRequest(String client, String transport, String protocol, String name, String version,
                                  byte[] data, List<String> channels, Map<String, List<String>> headers) {
}
