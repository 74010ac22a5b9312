package dev.herald.bench.jmh;

import dev.herald.protocol.Protocol;
import dev.herald.protocol.Publication;
import dev.herald.protocol.StreamPosition;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One publication broadcast by the hub to every subscriber of a channel: encode once, hand to the (inline)
 * executor's batcher, write the shared bytes to each session's transport, flush each once. Divide the score by
 * {@code subscribers} for the core's cost per delivery (the network's write is not in it).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HubBroadcastBenchmark {
    @Param({"1000", "5000"})
    public int subscribers;

    private BenchNode node;
    private Publication publication;
    private StreamPosition position;

    @Setup(Level.Trial)
    public void setUp() {
        node = new BenchNode(subscribers, "bench", Protocol.JSON);
        byte[] data = "{\"ts\":1732363200000000,\"m\":1,\"seq\":1,\"pad\":\"xxxxxxxxxxxxxxxxxxxxxx\"}"
                .getBytes(StandardCharsets.UTF_8);
        publication = new Publication(data, null, 0, null, false, 0, null);
        position = new StreamPosition(0, "");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (node.writes() == 0) {
            throw new IllegalStateException("broadcast wrote nothing");
        }
        node.close();
    }

    @Benchmark
    public void broadcast() {
        node.node.handlePublication(dev.herald.core.channel.ChannelKey.of("bench"), publication, position);
    }
}
