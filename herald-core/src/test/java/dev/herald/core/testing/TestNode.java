package dev.herald.core.testing;

import dev.herald.core.Node;
import dev.herald.core.telemetry.Telemetry;
import dev.herald.core.api.ApiExecutor;
import dev.herald.core.auth.ConnectToken;
import dev.herald.core.auth.SubscribeToken;
import dev.herald.core.auth.TokenException;
import dev.herald.core.auth.TokenVerifier;
import dev.herald.core.client.ClientSession;
import dev.herald.core.cluster.Controller;
import dev.herald.core.cluster.LocalController;
import dev.herald.core.config.FrozenConfig;
import dev.herald.core.config.HeraldConfig;
import dev.herald.core.engine.Broker;
import dev.herald.core.engine.MemoryBroker;
import dev.herald.core.engine.MemoryPresenceManager;
import dev.herald.core.time.Clock;
import dev.herald.core.time.ExecutorScheduler;
import dev.herald.core.time.ManualScheduler;
import dev.herald.core.time.Scheduler;
import dev.herald.protocol.Request;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A real node on the memory engine, with a token verifier that knows a fixed set of tokens (the token
 * {@code "expired"} fails as expired, any other unknown one as invalid), and helpers that connect sessions over
 * {@link FakeTransport}s. Shared by the core and server test suites.
 *
 * <p>Time is real (a timer thread and the system clock) unless the node is made {@link #withManualTime}: then the
 * sessions' timers, expiry and the broker's TTLs all run on {@link #time}, and nothing happens until the test
 * advances it. With {@link FakeTransport}'s caller-thread executor a timer's whole effect (a ping written, a close)
 * has happened when {@link #advance} returns.
 */
public final class TestNode implements AutoCloseable {
    /** The node's configuration: frozen when the node is built, so fill in the {@link HeraldConfig} before. */
    public final FrozenConfig config;
    public final Node node;
    public final ApiExecutor api;
    /** The manual time this node runs on, or null when it runs on real time. */
    public final ManualScheduler time;
    /** The real timer thread, or null on manual time. */
    private final ScheduledExecutorService timer;
    /** The clock the node, its sessions and the memory broker read. */
    private final Clock clock;
    private final Map<String, ConnectToken> connectTokens = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, SubscribeToken> subscribeTokens = new java.util.concurrent.ConcurrentHashMap<>();

    private static <T> CompletionStage<T> unknown(String token) {
        return CompletableFuture.failedFuture(new TokenException(
                "expired".equals(token) ? TokenException.Kind.EXPIRED : TokenException.Kind.INVALID, "test token"));
    }

    public TestNode(HeraldConfig config) {
        this(config, null, null, null, "test_8000");
    }

    /** A node on real time and {@code broker}. */
    public TestNode(HeraldConfig config, Broker broker) {
        this(config, null, broker, null, "test_8000");
    }

    /** A node on manual time: its timers and TTLs move only with {@link #advance}. */
    public static TestNode withManualTime(HeraldConfig config) {
        return new TestNode(config, new ManualScheduler(), null, null, "test_8000");
    }

    /** One node of a {@link ClusterHarness}: shared manual time, broker and control bus. */
    static TestNode inCluster(HeraldConfig config, ManualScheduler time, Broker broker, Controller controller,
                              String name) {
        return new TestNode(config, time, broker, controller, name);
    }

    /**
     * {@code time} null: real time; {@code broker} null: a memory broker on the node's timer and clock;
     * {@code controller} null: a node alone.
     */
    private TestNode(HeraldConfig config, ManualScheduler time, Broker broker, Controller controller, String name) {
        this.time = time;
        Scheduler scheduler;
        if (time == null) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "test-timer");
                t.setDaemon(true);
                return t;
            });
            scheduler = new ExecutorScheduler(timer);
            clock = Clock.system();
        } else {
            timer = null;
            scheduler = time;
            clock = time.clock();
        }
        TokenVerifier verifier = new TokenVerifier() {
            @Override
            public CompletionStage<ConnectToken> verifyConnectToken(String token) {
                ConnectToken t = connectTokens.get(token);
                return t != null ? CompletableFuture.completedFuture(t) : unknown(token);
            }

            @Override
            public CompletionStage<SubscribeToken> verifySubscribeToken(String token) {
                SubscribeToken t = subscribeTokens.get(token);
                return t != null ? CompletableFuture.completedFuture(t) : unknown(token);
            }
        };
        this.node = new Node(config.freeze(), broker != null ? broker : new MemoryBroker(scheduler, clock::millis),
                new MemoryPresenceManager(), controller != null ? controller : new LocalController(), verifier, null,
                scheduler, clock, name, "0.1.0", Telemetry.NOOP);
        this.config = node.config();
        node.start();
        this.api = new ApiExecutor(node);
    }

    public TestNode() {
        this(new HeraldConfig());
    }

    /** Registers a connection token: user, no expiry, with the given jti/iat/meta and server-side channels. */
    public void connectToken(String token, ConnectToken claims) {
        connectTokens.put(token, claims);
    }

    public void subscribeToken(String token, SubscribeToken claims) {
        subscribeTokens.put(token, claims);
    }

    public void connectToken(String token, String user, String jti, long iat, String meta, List<String> channels) {
        connectTokens.put(token, new ConnectToken(user, 0, iat, jti, null,
                meta == null ? null : meta.getBytes(StandardCharsets.UTF_8), channels, Map.of()));
    }

    public void subscribeToken(String token, String user, String channel, String jti, long iat) {
        subscribeTokens.put(token, new SubscribeToken(user, channel, "", 0, iat, jti, null, null, null));
    }

    /** A bidirectional JSON connection sent {@code connect} with the given token, name and version. */
    public ClientSession connectBidi(String transportName, String token, String name, String version) {
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
    public ClientSession connectUni(String token, String name) {
        FakeTransport transport = new FakeTransport("uni_http_stream", true);
        ClientSession session = node.newSession(transport);
        session.handleUniConnect(new Request.Connect(token, null, null, name, null, null));
        return session;
    }

    public static FakeTransport transport(ClientSession session) {
        return (FakeTransport) session.transport();
    }

    public static void send(ClientSession session, String frame) {
        session.handleFrame(frame.getBytes(StandardCharsets.UTF_8));
    }

    /** Moves manual time forward, running the timers that fall due; only for a node {@link #withManualTime}. */
    public void advance(Duration duration) {
        if (time == null) {
            throw new IllegalStateException("this node runs on real time");
        }
        time.advance(duration);
    }

    /** The current time of this node's clock, epoch millis. */
    public long nowMillis() {
        return clock.millis();
    }

    @Override
    public void close() {
        node.shutdown();
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
