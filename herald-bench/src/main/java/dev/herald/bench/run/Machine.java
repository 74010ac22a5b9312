package dev.herald.bench.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the report says about the machine: CPU model and count, memory, kernel, JVM, load at the start. */
final class Machine {
    private Machine() {
    }

    static Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpu", firstValue(Path.of("/proc/cpuinfo"), "model name"));
        m.put("cpus_online", read(Path.of("/sys/devices/system/cpu/online")));
        m.put("generator_cpus_allowed", statusValue("Cpus_allowed_list"));
        m.put("memory", firstValue(Path.of("/proc/meminfo"), "MemTotal"));
        m.put("kernel", read(Path.of("/proc/sys/kernel/osrelease")));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("load_average_at_start", read(Path.of("/proc/loadavg")));
        return m;
    }

    private static String firstValue(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key)) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (Exception ignored) {
            // not Linux
        }
        return "?";
    }

    private static String statusValue(String key) {
        return firstValue(Path.of("/proc/self/status"), key);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (Exception e) {
            return "?";
        }
    }
}
