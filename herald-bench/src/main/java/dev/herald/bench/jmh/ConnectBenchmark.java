package dev.herald.bench.jmh;

import dev.herald.bench.load.Tokens;
import dev.herald.core.client.ClientSession;
import dev.herald.core.codes.Disconnect;
import dev.herald.protocol.Protocol;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The core's share of one WebSocket connect as the load generator makes it: a session over a counting transport
 * (no network) gets the JSON connect command with an HS256 JWT (decode, token, hub, timers, connect reply), then
 * optionally subscribes to a channel, and is closed by its transport. Netty's part (accept, HTTP upgrade, the
 * socket writes) is not in it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ConnectBenchmark {
    private BenchNode node;
    private byte[] connect;
    private byte[] subscribe;

    @Setup(Level.Trial)
    public void setUp() {
        node = new BenchNode(0, "bench", Protocol.JSON);
        String token = new Tokens(BenchNode.SECRET, System.currentTimeMillis() / 1000 + 24 * 3600).sign("42", null);
        connect = ("{\"id\":1,\"connect\":{\"token\":\"" + token + "\",\"name\":\"herald-bench\"}}")
                .getBytes(StandardCharsets.UTF_8);
        subscribe = "{\"id\":2,\"subscribe\":{\"channel\":\"bench\"}}".getBytes(StandardCharsets.UTF_8);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        node.close();
    }

    @Benchmark
    public ClientSession connect() {
        CountingTransport t = new CountingTransport(Protocol.JSON);
        ClientSession s = node.node.newSession(t);
        s.handleFrame(connect);
        if (!s.connected()) {
            throw new IllegalStateException("not connected: " + t.closedWith);
        }
        s.transportClosed(Disconnect.CONNECTION_CLOSED);
        return s;
    }

    @Benchmark
    public ClientSession connectAndSubscribe() {
        CountingTransport t = new CountingTransport(Protocol.JSON);
        ClientSession s = node.node.newSession(t);
        s.handleFrame(connect);
        s.handleFrame(subscribe);
        if (s.subscriptions().size() != 1) {
            throw new IllegalStateException("not subscribed: " + t.closedWith);
        }
        s.transportClosed(Disconnect.CONNECTION_CLOSED);
        return s;
    }
}
