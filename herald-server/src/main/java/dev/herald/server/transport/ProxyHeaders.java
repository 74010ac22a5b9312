package dev.herald.server.transport;

import dev.herald.core.config.FrozenConfig;
import io.netty.handler.codec.http.HttpHeaders;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Picks, at the handshake, the request headers the connect proxy forwards ({@code client.proxy.connect.http_headers})
 * so a connection keeps only those, not the whole request.
 */
final class ProxyHeaders {
    private ProxyHeaders() {
    }

    /** The configured headers present in {@code headers}, by lower-case name; the shared empty map when none. */
    static Map<String, List<String>> capture(HttpHeaders headers, FrozenConfig config) {
        FrozenConfig.Proxy proxy = config.client.proxy.connect;
        if (!proxy.enabled || proxy.httpHeaders.isEmpty()) {
            return Map.of();
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String name : proxy.httpHeaders) {
            List<String> values = headers.getAll(name);
            if (!values.isEmpty()) {
                out.put(name.toLowerCase(Locale.ROOT), List.copyOf(values));
            }
        }
        return out.isEmpty() ? Map.of() : Map.copyOf(out);
    }
}
