package dev.herald.bench.run;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code --server-jvm-opts} adds to ./herald's defaults instead of replacing them. */
class BenchOptionsTest {
    @Test
    void defaultsAlone() {
        BenchOptions o = new BenchOptions();
        assertEquals(BenchOptions.SERVER_JVM_DEFAULTS, o.serverJvmOptions());
    }

    @Test
    void extraOptionsAreAppended() {
        BenchOptions o = new BenchOptions();
        o.serverJvmOpts = " -XX:MaxHeapFreeRatio=20  -XX:NativeMemoryTracking=summary ";
        List<String> all = o.serverJvmOptions();
        assertEquals(BenchOptions.SERVER_JVM_DEFAULTS, all.subList(0, BenchOptions.SERVER_JVM_DEFAULTS.size()));
        assertEquals(List.of("-XX:MaxHeapFreeRatio=20", "-XX:NativeMemoryTracking=summary"),
                all.subList(BenchOptions.SERVER_JVM_DEFAULTS.size(), all.size()));
    }

    @Test
    void ownCollectorReplacesG1() {
        BenchOptions o = new BenchOptions();
        o.serverJvmOpts = "-XX:+UseSerialGC";
        List<String> all = o.serverJvmOptions();
        assertEquals(List.of("-XX:+UseCompactObjectHeaders", "-XX:+ExitOnOutOfMemoryError",
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-XX:TrimNativeHeapInterval=30000", "-XX:+UseSerialGC"), all);
    }
}
