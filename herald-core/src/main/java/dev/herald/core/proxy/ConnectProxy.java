package dev.herald.core.proxy;

import java.util.concurrent.CompletionStage;

/**
 * Asks the application backend who a token-less connection is (reference section 5.2). Completes exceptionally
 * with {@code ErrorException} or {@code DisconnectException} when the backend rejects the connection, and with
 * any other exception on a transport failure or timeout (the client then gets error 100 / disconnect 3004).
 */
public interface ConnectProxy {

    CompletionStage<ConnectProxyResult> connect(ConnectProxyRequest request);
}
