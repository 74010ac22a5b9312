package dev.herald.core.api;

import dev.herald.core.Node;
import dev.herald.core.auth.ConnectToken;
import dev.herald.core.auth.SubscribeToken;
import dev.herald.core.auth.TokenException;
import dev.herald.core.auth.TokenVerifier;
import dev.herald.core.client.ClientSession;
import dev.herald.core.config.HeraldConfig;
import dev.herald.core.engine.MemoryBroker;
import dev.herald.core.engine.MemoryPresenceManager;
import dev.herald.core.time.ExecutorScheduler;
import dev.herald.protocol.Request;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A real node on the memory engine, with a token verifier that knows a fixed set of tokens, and helpers that
 * connect sessions over {@link FakeTransport}s.
 */
final class TestNode implements AutoCloseable {
    final HeraldConfig config;
    final Node node;
    final ApiExecutor api;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final Map<String, ConnectToken> connectTokens = new HashMap<>();
    private final Map<String, SubscribeToken> subscribeTokens = new HashMap<>();

    TestNode(HeraldConfig config) {
        this.config = config;
        ExecutorScheduler scheduler = new ExecutorScheduler(timer);
        TokenVerifier verifier = new TokenVerifier() {
            @Override
            public CompletionStage<ConnectToken> verifyConnectToken(String token) {
                ConnectToken t = connectTokens.get(token);
                return t != null ? CompletableFuture.completedFuture(t)
                        : CompletableFuture.failedFuture(new TokenException(TokenException.Kind.INVALID, "unknown"));
            }

            @Override
            public CompletionStage<SubscribeToken> verifySubscribeToken(String token) {
                SubscribeToken t = subscribeTokens.get(token);
                return t != null ? CompletableFuture.completedFuture(t)
                        : CompletableFuture.failedFuture(new TokenException(TokenException.Kind.INVALID, "unknown"));
            }
        };
        this.node = new Node(config, new MemoryBroker(scheduler, System::currentTimeMillis),
                new MemoryPresenceManager(), verifier, null, scheduler, "test_8000", "0.1.0");
        node.start();
        this.api = new ApiExecutor(node);
    }

    TestNode() {
        this(new HeraldConfig());
    }

    /** Registers a connection token: user, no expiry, with the given jti/iat/meta and server-side channels. */
    void connectToken(String token, String user, String jti, long iat, String meta, List<String> channels) {
        connectTokens.put(token, new ConnectToken(user, 0, iat, jti, null,
                meta == null ? null : meta.getBytes(StandardCharsets.UTF_8), channels, Map.of()));
    }

    void subscribeToken(String token, String user, String channel, String jti, long iat) {
        subscribeTokens.put(token, new SubscribeToken(user, channel, "", 0, iat, jti, null, null, null));
    }

    /** A bidirectional JSON connection sent {@code connect} with the given token, name and version. */
    ClientSession connectBidi(String transportName, String token, String name, String version) {
        FakeTransport transport = new FakeTransport(transportName, false);
        ClientSession session = node.newSession(transport);
        StringBuilder connect = new StringBuilder("{\"id\":1,\"connect\":{");
        connect.append("\"token\":\"").append(token).append('"');
        if (name != null) {
            connect.append(",\"name\":\"").append(name).append('"');
        }
        if (version != null) {
            connect.append(",\"version\":\"").append(version).append('"');
        }
        connect.append("}}");
        session.handleFrame(connect.toString().getBytes(StandardCharsets.UTF_8));
        return session;
    }

    /** A unidirectional connection as {@code curl .../connection/uni_http_stream} makes it. */
    ClientSession connectUni(String token, String name) {
        FakeTransport transport = new FakeTransport("uni_http_stream", true);
        ClientSession session = node.newSession(transport);
        session.handleUniConnect(new Request.Connect(token, null, null, name, null, null));
        return session;
    }

    static FakeTransport transport(ClientSession session) {
        return (FakeTransport) session.transport();
    }

    static void send(ClientSession session, String frame) {
        session.handleFrame(frame.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        node.shutdown();
        timer.shutdownNow();
    }
}
