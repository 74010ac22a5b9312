package dev.herald.bench.jmh;

import dev.herald.bench.load.Tokens;
import dev.herald.core.Node;
import dev.herald.core.telemetry.Telemetry;
import dev.herald.core.auth.JwtTokenVerifier;
import dev.herald.core.client.ClientSession;
import dev.herald.core.config.FrozenConfig;
import dev.herald.core.config.HeraldConfig;
import dev.herald.core.engine.MemoryBroker;
import dev.herald.core.engine.MemoryPresenceManager;
import dev.herald.core.time.Clock;
import dev.herald.core.time.ExecutorScheduler;
import dev.herald.protocol.Protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A real node on the memory engine with {@code n} sessions connected by HS256 JWT (private meta
 * {@code {"shard": i % 1000}}) over counting transports, each subscribed to {@code channel}.
 */
final class BenchNode implements AutoCloseable {
    static final String SECRET = "jmh-secret-jmh-secret-jmh-secret-0123";

    final Node node;
    final List<ClientSession> sessions = new ArrayList<>();
    final List<CountingTransport> transports = new ArrayList<>();
    private final ScheduledExecutorService timer;

    BenchNode(int n, String channel, Protocol protocol) {
        FrozenConfig config = config();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jmh-timer");
            t.setDaemon(true);
            return t;
        });
        ExecutorScheduler scheduler = new ExecutorScheduler(timer);
        Clock clock = Clock.system();
        node = new Node(config, new MemoryBroker(scheduler, clock::millis), new MemoryPresenceManager(),
                new JwtTokenVerifier(config.client), null, scheduler, clock, "jmh", "0.0.0-jmh", Telemetry.NOOP);
        node.start();
        Tokens tokens = new Tokens(SECRET, System.currentTimeMillis() / 1000 + 3600);
        for (int i = 0; i < n; i++) {
            CountingTransport t = new CountingTransport(protocol);
            ClientSession s = node.newSession(t);
            String token = tokens.sign("u" + i, "{\"shard\":" + (i % 1000) + "}");
            if (protocol == Protocol.JSON) {
                s.handleFrame(("{\"id\":1,\"connect\":{\"token\":\"" + token + "\"}}\n{\"id\":2,\"subscribe\":"
                        + "{\"channel\":\"" + channel + "\"}}").getBytes(StandardCharsets.UTF_8));
            } else {
                throw new IllegalArgumentException("JSON sessions only");
            }
            if (t.closedWith != null || !s.connected()) {
                throw new IllegalStateException("session " + i + " did not connect: " + t.closedWith);
            }
            sessions.add(s);
            transports.add(t);
        }
        if (node.hub().numSubscribers(dev.herald.core.channel.ChannelKey.of(channel)) != n) {
            throw new IllegalStateException("expected " + n + " subscribers, got "
                    + node.hub().numSubscribers(dev.herald.core.channel.ChannelKey.of(channel)));
        }
    }

    static FrozenConfig config() {
        HeraldConfig config = new HeraldConfig();
        config.client.token.hmacSecretKey = SECRET;
        config.channel.withoutNamespace.allowSubscribeForClient = true;
        return config.freeze();
    }

    long writes() {
        long sum = 0;
        for (CountingTransport t : transports) {
            sum += t.writes;
        }
        return sum;
    }

    @Override
    public void close() {
        node.shutdown();
        timer.shutdownNow();
    }
}
