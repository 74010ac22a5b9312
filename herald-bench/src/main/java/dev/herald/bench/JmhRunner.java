package dev.herald.bench;

import dev.herald.bench.run.ReportDirs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code bin/bench jmh [patterns | JMH args]}: JMH's own main. With no arguments or only benchmark name patterns it
 * uses short defaults (one fork, 5 x 1 s warm-up, 5 x 1 s measurement, JSON results in the
 * default report folder, herald-bench/reports/<UTC date>-<short commit>: see {@link ReportDirs});
 * arguments with options are passed to JMH as they are.
 */
final class JmhRunner {
    private JmhRunner() {
    }

    public static void main(String[] args) throws Exception {
        List<String> all = new ArrayList<>();
        if (args.length == 0 || Arrays.stream(args).allMatch(a -> !a.startsWith("-"))) {
            Path dir = ReportDirs.forCheckout();
            Files.createDirectories(dir);
            String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
            all.addAll(List.of("-f", "1", "-wi", "5", "-w", "1s", "-i", "5", "-r", "1s",
                    "-jvmArgsAppend", "-XX:+UseCompactObjectHeaders",
                    "-rf", "json", "-rff", dir.resolve("jmh-" + stamp + ".json").toString()));
        }
        all.addAll(Arrays.asList(args));
        if (args.length == 0) {
            all.add("dev.herald.bench.jmh");
        }
        org.openjdk.jmh.Main.main(all.toArray(String[]::new));
    }
}
