package dev.herald.bench.run;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --server-jvm-opts} adds to ./herald's defaults instead of replacing them; reports go to a folder named by
 * date and commit unless {@code --out} names one.
 */
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

    @Test
    void defaultReportFolderIsNamedByDateAndCommit() {
        assertEquals(Path.of("herald-bench/reports/2026-11-23-cd025ae"),
                ReportDirs.name(LocalDate.of(2026, 11, 23), "cd025ae"));
        BenchOptions o = new BenchOptions();
        Path dir = o.reportDir();
        assertEquals(ReportDirs.ROOT, dir.getParent());
        String name = dir.getFileName().toString();
        assertTrue(name.matches("\\d{4}-\\d{2}-\\d{2}-([0-9a-f]{7,}(-dirty)?|nogit)"), name);
        assertEquals(dir, o.reportDir(), "chosen once per run");
    }

    @Test
    void outNamesTheReportFolder() {
        BenchOptions o = new BenchOptions();
        o.out = Path.of("/tmp/elsewhere");
        assertEquals(Path.of("/tmp/elsewhere"), o.reportDir());
    }
}
