package dev.herald.bench.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Redis the cluster scenario launches and what it reads of it, against a real redis-server (bin/test installs
 * it; the class is skipped where it is missing): commandstats counts, a pattern subscription's messages, and the
 * stop by pid.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisProcessTest {
    @TempDir
    static Path dir;
    private static RedisProcess redis;

    @BeforeAll
    static void start() throws IOException {
        assumeTrue(onPath("redis-server"), "redis-server not installed");
        redis = RedisProcess.launch("redis-server", null, dir, new PrintStream(OutputStream.nullOutputStream()));
    }

    @AfterAll
    static void stop() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void commandCallsCountEachPublish() throws IOException {
        long before = redis.commandCalls().getOrDefault("publish", 0L);
        try (RedisWire wire = redis.connect(5_000)) {
            for (int i = 0; i < 3; i++) {
                assertEquals(0L, wire.call("PUBLISH", "nobody.listens", "x"));
            }
        }
        assertEquals(before + 3, redis.commandCalls().get("publish"));
    }

    @Test
    void aPatternSubscriberReceivesChannelAndPayload() throws IOException {
        try (RedisWire sub = redis.connect(5_000); RedisWire pub = redis.connect(5_000)) {
            sub.send("PSUBSCRIBE", "p.*");
            List<?> confirm = (List<?>) sub.read();
            assertEquals("psubscribe", new String((byte[]) confirm.getFirst(), StandardCharsets.UTF_8));
            assertEquals(1L, pub.call("PUBLISH", "p.client.a", "line\r\nbreak"));
            List<?> message = (List<?>) sub.read();
            assertEquals(4, message.size());
            assertEquals("p.client.a", new String((byte[]) message.get(2), StandardCharsets.UTF_8));
            // Bulk strings are read by their length: a payload holding CR LF arrives whole.
            assertArrayEquals("line\r\nbreak".getBytes(StandardCharsets.UTF_8), (byte[]) message.get(3));
        }
    }

    @Test
    void closeStopsTheProcessByItsPid() throws IOException {
        RedisProcess other = RedisProcess.launch("redis-server", null, dir.resolve("other"),
                new PrintStream(OutputStream.nullOutputStream()));
        long pid = other.pid();
        assertTrue(ProcStats.alive(pid));
        assertTrue(other.version().matches("\\d+\\.\\d+.*"), other.version());
        other.close();
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "redis-server still running");
    }

    private static boolean onPath(String binary) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (java.nio.file.Files.isExecutable(Path.of(dir, binary))) {
                return true;
            }
        }
        return false;
    }
}
