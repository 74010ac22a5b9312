package dev.herald.server.transport;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The WebSocket endpoints of a server: request path to {@link WebSocketEndpoint}. A path ending in {@code /} is a
 * prefix and matches every path one segment below it ({@code /app/} matches {@code /app/key}); an exact path wins
 * over a prefix. A path registered here is upgraded to WebSocket; any other goes on to the HTTP routes.
 *
 * <p>Register everything before the server starts: the server takes a {@link #snapshot} then, and later
 * registrations do not reach it.
 */
public final class WebSocketEndpoints {
    /** One registered endpoint and the subprotocols its handshake may select, most preferred first. */
    record Route(WebSocketEndpoint<?> endpoint, String[] subprotocols) {
    }

    private final Map<String, Route> routes;
    /** Some path is a prefix (in a snapshot; a request path is cut to its first segment only then). */
    private final boolean prefixes;

    public WebSocketEndpoints() {
        this(new HashMap<>());
    }

    private WebSocketEndpoints(Map<String, Route> routes) {
        this.routes = routes;
        this.prefixes = routes.keySet().stream().anyMatch(path -> path.endsWith("/"));
    }

    /**
     * Adds an endpoint. {@code subprotocols} are the names the handshake may answer in
     * {@code Sec-WebSocket-Protocol}: the first the client offers that is in this list (none if it is empty or the
     * client offers none of them).
     *
     * @throws IllegalArgumentException for a path that does not start with {@code /} or is already taken
     */
    public <S> WebSocketEndpoints register(String path, List<String> subprotocols, WebSocketEndpoint<S> endpoint) {
        Objects.requireNonNull(endpoint, "endpoint");
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("a WebSocket endpoint path starts with '/': " + path);
        }
        if (routes.putIfAbsent(path, new Route(endpoint, subprotocols.toArray(String[]::new))) != null) {
            throw new IllegalArgumentException("a WebSocket endpoint is already registered at " + path);
        }
        return this;
    }

    /** The registered paths. */
    public Set<String> paths() {
        return Set.copyOf(routes.keySet());
    }

    /** An unmodifiable copy, safe to read from every event loop. */
    WebSocketEndpoints snapshot() {
        return new WebSocketEndpoints(Map.copyOf(routes));
    }

    /**
     * The endpoint serving {@code path} (exact first, then the prefix up to its second {@code /}), or null. On a
     * {@link #snapshot} only.
     */
    Route find(String path) {
        Route route = routes.get(path);
        if (route == null && prefixes) {
            int slash = path.indexOf('/', 1);
            if (slash > 0) {
                route = routes.get(path.substring(0, slash + 1));
            }
        }
        return route;
    }
}
