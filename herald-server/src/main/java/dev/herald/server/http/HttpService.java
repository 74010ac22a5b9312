package dev.herald.server.http;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;

import java.util.concurrent.CompletionStage;

/**
 * A plain request/response endpoint (server API, health, metrics, admin). Called on the event loop: it must not
 * block, and must read what it needs from the request before returning (the caller then releases it).
 */
@FunctionalInterface
public interface HttpService {
    CompletionStage<FullHttpResponse> handle(FullHttpRequest request);
}
