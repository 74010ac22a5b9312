package dev.herald.bench.jmh;

import dev.herald.protocol.ClientCodec;
import dev.herald.protocol.Command;
import dev.herald.protocol.Protocol;
import dev.herald.protocol.ProtocolException;
import dev.herald.protocol.Publication;
import dev.herald.protocol.Push;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The client protocol codecs on their hot paths: decoding JSON commands, encoding a publication push. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CodecBenchmark {
    private final ClientCodec json = ClientCodec.of(Protocol.JSON);
    private final ClientCodec protobuf = ClientCodec.of(Protocol.PROTOBUF);
    private final byte[] connectCommand = ("{\"id\":1,\"connect\":{\"token\":\"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
            + "eyJzdWIiOiI0MiIsImV4cCI6MTk5OTk5OTk5OX0.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl\","
            + "\"name\":\"js\",\"version\":\"5.0.0\"}}").getBytes(StandardCharsets.UTF_8);
    private final byte[] subscribeCommand = "{\"id\":2,\"subscribe\":{\"channel\":\"chat:index\"}}"
            .getBytes(StandardCharsets.UTF_8);
    private final byte[] publishCommand = ("{\"id\":3,\"publish\":{\"channel\":\"chat:index\",\"data\":"
            + "{\"text\":\"hello\",\"n\":42,\"tags\":[\"a\",\"b\"]}}}").getBytes(StandardCharsets.UTF_8);
    private final byte[] pong = "{}".getBytes(StandardCharsets.UTF_8);
    private final Push push = new Push("bench", new Publication(
            "{\"ts\":1732363200000000,\"m\":1,\"seq\":1,\"pad\":\"xxxxxxxxxxxxxxxxxxxxxx\"}"
                    .getBytes(StandardCharsets.UTF_8), null, 0, null, false, 0, null));

    @Benchmark
    public List<Command> decodeJsonConnect() throws ProtocolException {
        return json.decodeCommands(connectCommand);
    }

    @Benchmark
    public List<Command> decodeJsonSubscribe() throws ProtocolException {
        return json.decodeCommands(subscribeCommand);
    }

    @Benchmark
    public List<Command> decodeJsonPublish() throws ProtocolException {
        return json.decodeCommands(publishCommand);
    }

    @Benchmark
    public List<Command> decodeJsonPong() throws ProtocolException {
        return json.decodeCommands(pong);
    }

    @Benchmark
    public byte[] encodePushJson() {
        return json.encodePush(push);
    }

    @Benchmark
    public byte[] encodePushProtobuf() {
        return protobuf.encodePush(push);
    }
}
