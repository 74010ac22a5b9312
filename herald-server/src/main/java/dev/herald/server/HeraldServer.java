package dev.herald.server;

import dev.herald.core.Node;
import dev.herald.core.auth.JwtTokenVerifier;
import dev.herald.core.config.FrozenConfig;
import dev.herald.core.config.HeraldConfig;
import dev.herald.core.proxy.ConnectProxy;
import dev.herald.core.time.Clock;
import dev.herald.core.api.ApiExecutor;
import dev.herald.engines.EngineSet;
import dev.herald.engines.Engines;
import dev.herald.server.api.ApiHttpService;
import dev.herald.server.http.HttpService;
import dev.herald.server.proxy.HttpConnectProxy;
import dev.herald.server.http.Responses;
import dev.herald.server.metrics.PrometheusTelemetry;
import dev.herald.server.transport.CentrifugoWebSocketEndpoint;
import dev.herald.server.transport.NettyServer;
import dev.herald.server.transport.WebSocketEndpoints;
import dev.herald.server.transport.WheelScheduler;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The composition root: builds the node with its engine, token verifier and timer, then the HTTP endpoints and
 * the listening server, all wired by hand here and nowhere else.
 */
public final class HeraldServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HeraldServer.class);

    private final FrozenConfig config;
    private final WheelScheduler scheduler;
    private final PrometheusTelemetry telemetry = new PrometheusTelemetry();
    private final EngineSet engines;
    private final Node node;
    private final NettyServer server;
    private final CountDownLatch terminated = new CountDownLatch(1);
    /**
     * Where server API listings walk the hub (connections by expression, channels, info), off the event loops.
     * Two threads at most and a bounded queue: a burst of listing calls gets 111 instead of growing memory.
     */
    private final ThreadPoolExecutor listings = new ThreadPoolExecutor(1, 2, 30, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(256), runnable -> {
                Thread thread = new Thread(runnable, "herald-listings");
                thread.setDaemon(true);
                return thread;
            });
    private volatile boolean closed;

    private HeraldServer(FrozenConfig config, Consumer<WebSocketEndpoints> moreWebSockets)
            throws InterruptedException {
        this.config = config;
        this.scheduler = new WheelScheduler();
        Clock clock = Clock.system();
        this.engines = Engines.create(config, scheduler, clock);
        log.info("engine: {}", engines.description());
        String name = config.node.name.isEmpty() ? hostname() + "_" + config.httpServer.port : config.node.name;
        ConnectProxy connectProxy = config.client.proxy.connect.enabled
                ? new HttpConnectProxy(config.client.proxy.connect, HttpClient.newBuilder()
                .connectTimeout(config.client.proxy.connect.timeout).build())
                : null;
        this.node = new Node(config, engines.broker(), engines.presence(), engines.controller(),
                new JwtTokenVerifier(config.client, clock.asJavaClock(), null), connectProxy,
                scheduler, clock, name, version(), telemetry);
        telemetry.bind(() -> node);
        node.start();
        WebSocketEndpoints webSockets = CentrifugoWebSocketEndpoint.register(new WebSocketEndpoints(), node);
        moreWebSockets.accept(webSockets);
        this.server = new NettyServer(node, config.httpServer.address, config.httpServer.port, services(),
                webSockets);
    }

    /**
     * Starts listening; returns once the port is bound. The server runs on a {@link HeraldConfig#freeze() frozen}
     * copy of {@code config}: writing to {@code config} afterwards changes nothing.
     */
    public static HeraldServer start(HeraldConfig config) throws InterruptedException {
        return new HeraldServer(config.freeze(), webSockets -> { });
    }

    /**
     * Starts listening with WebSocket endpoints of other protocols beside Centrifugo's: {@code moreWebSockets}
     * registers them (see {@link dev.herald.server.transport.WebSocketEndpoint}). Runs on a frozen copy of
     * {@code config}, as {@link #start(HeraldConfig)}.
     */
    public static HeraldServer start(HeraldConfig config, Consumer<WebSocketEndpoints> moreWebSockets)
            throws InterruptedException {
        return new HeraldServer(config.freeze(), moreWebSockets);
    }

    private Map<String, HttpService> services() {
        Map<String, HttpService> services = new LinkedHashMap<>();
        if (config.health.enabled) {
            services.put("/health", request -> CompletableFuture.completedFuture(health()));
        }
        ApiHttpService api = new ApiHttpService(new ApiExecutor(node, listings), config);
        services.put("/api", api);
        services.put("/api/", api);
        if (config.prometheus.enabled) {
            services.put("/metrics", telemetry.endpoint());
        }
        return services;
    }

    /**
     * {@code /health}: 200 {@code {}} as Centrifugo answers while the engine is reachable; 503 with
     * {@code {"status":"degraded","problems":[...]}} while it is not (the node still serves its local clients).
     */
    private io.netty.handler.codec.http.FullHttpResponse health() {
        java.util.List<String> problems = engines.problems().get();
        if (problems.isEmpty()) {
            return Responses.json(HttpResponseStatus.OK, "{}");
        }
        StringBuilder body = new StringBuilder("{\"status\":\"degraded\",\"problems\":[");
        for (int i = 0; i < problems.size(); i++) {
            body.append(i == 0 ? "" : ",").append('"')
                    .append(JsonStringEncoder.getInstance().quoteAsString(problems.get(i))).append('"');
        }
        return Responses.json(HttpResponseStatus.SERVICE_UNAVAILABLE, body.append("]}").toString());
    }

    /** The bound HTTP port (useful with port 0). */
    public int port() {
        return server.port();
    }

    public Node node() {
        return node;
    }

    /** Blocks until {@link #close()} is called (from a shutdown hook or another thread). */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    /**
     * Graceful shutdown: stop accepting, disconnect clients with 3001, then stop the event loops, within
     * {@code shutdown.timeout} (as Centrifugo: past it the shutdown stops waiting and the process may exit).
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        log.info("shutting down");
        Duration timeout = config.shutdown.timeout;
        long started = System.nanoTime();
        server.stopAccepting(timeout);
        node.shutdown();
        Duration left = timeout.minusNanos(System.nanoTime() - started);
        if (!server.close(left.isNegative() ? Duration.ZERO : left)) {
            log.warn("shutdown timeout ({}) reached: event loops still busy", timeout);
        }
        engines.close();
        scheduler.close();
        listings.shutdown();
        terminated.countDown();
    }

    /** Herald's version, from the jar manifest. */
    public static String version() {
        String v = HeraldServer.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "localhost";
        }
    }
}
