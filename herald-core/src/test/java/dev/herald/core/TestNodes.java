package dev.herald.core;

import dev.herald.core.auth.ConnectToken;
import dev.herald.core.auth.SubscribeToken;
import dev.herald.core.auth.TokenException;
import dev.herald.core.auth.TokenVerifier;
import dev.herald.core.config.HeraldConfig;
import dev.herald.core.engine.MemoryBroker;
import dev.herald.core.engine.MemoryPresenceManager;
import dev.herald.core.time.ExecutorScheduler;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/** Builds nodes on memory engines for tests, with a token verifier that knows a fixed set of tokens. */
public final class TestNodes {
    public static final Map<String, ConnectToken> CONNECT_TOKENS = new ConcurrentHashMap<>();
    public static final Map<String, SubscribeToken> SUBSCRIBE_TOKENS = new ConcurrentHashMap<>();

    private TestNodes() {
    }

    public static Node node(HeraldConfig config) {
        var scheduler = new ExecutorScheduler(Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "test-timer");
            t.setDaemon(true);
            return t;
        }));
        Node node = new Node(config, new MemoryBroker(scheduler, System::currentTimeMillis),
                new MemoryPresenceManager(), new MapVerifier(), null, scheduler, "test", "0.0.0-test");
        node.start();
        return node;
    }

    public static ConnectToken user(String user) {
        return new ConnectToken(user, 0, 0, null, null, null, List.of(), Map.of());
    }

    /** Known tokens succeed; "expired" fails as expired; anything else is invalid. */
    static final class MapVerifier implements TokenVerifier {
        @Override
        public CompletionStage<ConnectToken> verifyConnectToken(String token) {
            ConnectToken t = CONNECT_TOKENS.get(token);
            if (t != null) {
                return CompletableFuture.completedFuture(t);
            }
            return CompletableFuture.failedFuture(new TokenException(
                    token.equals("expired") ? TokenException.Kind.EXPIRED : TokenException.Kind.INVALID, "test"));
        }

        @Override
        public CompletionStage<SubscribeToken> verifySubscribeToken(String token) {
            SubscribeToken t = SUBSCRIBE_TOKENS.get(token);
            if (t != null) {
                return CompletableFuture.completedFuture(t);
            }
            return CompletableFuture.failedFuture(new TokenException(
                    token.equals("expired") ? TokenException.Kind.EXPIRED : TokenException.Kind.INVALID, "test"));
        }
    }
}
