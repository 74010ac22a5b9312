package dev.herald.server.transport;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;

/**
 * CORS headers for browser clients of the HTTP transports. Only requests whose Origin already passed
 * {@code client.allowed_origins} reach these endpoints, so the origin is echoed back.
 */
final class Cors {
    private Cors() {
    }

    static void allow(HttpRequest request, HttpResponse response) {
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null && !origin.isEmpty()) {
            response.headers()
                    .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin)
                    .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true")
                    .set(HttpHeaderNames.VARY, "Origin");
        }
    }

    static void preflight(HttpRequest request, HttpResponse response) {
        allow(request, response);
        String headers = request.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS);
        response.headers()
                .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, OPTIONS")
                .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, headers == null ? "Content-Type" : headers)
                .set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "600");
    }
}
