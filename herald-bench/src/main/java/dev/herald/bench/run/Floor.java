package dev.herald.bench.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The loopback write(2) floor of issue 5: a small C program (compiled here with gcc) writes 66-byte frames to 5,000
 * loopback TCP sockets while a forked reader drains them on the other CPU, and reports the writer's CPU time per
 * write. Run paced (10 rounds a second, like a 10 msg/s fan-out) and back to back, with 1, 2 and 8 frames per write,
 * and once with a reader that never sleeps (so no write pays for waking it on the other CPU).
 */
public final class Floor {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One configuration's outcome. */
    public record Point(String label, int framesPerWrite, double roundsPerSecond, long writes,
                        double cpuMicrosPerWrite, double cpuMicrosPerFrame, double sysShare) {
    }

    public record Result(List<Point> points) {
        /** One frame per write, paced: the reference for fan-out at 10 msg/s. */
        public Point paced1() {
            return points.getFirst();
        }
    }

    private Floor() {
    }

    /** Runs the floor and returns its points; writer on {@code writerCpu}, reader on {@code readerCpu} (-1: none). */
    public static Result measure(Path workDir, int sockets, int frameBytes, int writerCpu, int readerCpu,
                                 java.io.PrintStream out) throws IOException, InterruptedException {
        Path binary = compile(workDir);
        List<Point> points = new ArrayList<>();
        int pacedRounds = 30;
        Object[][] configs = {
                {"1 frame per write, paced 10 rounds/s", 1, 10.0, pacedRounds, 0},
                {"1 frame per write, back to back", 1, 0.0, pacedRounds, 0},
                {"2 frames per write, paced 10 rounds/s", 2, 10.0, pacedRounds, 0},
                {"8 frames per write, paced 10 rounds/s", 8, 10.0, pacedRounds, 0},
                {"1 frame per write, paced 10 rounds/s, reader never sleeps", 1, 10.0, pacedRounds, 1},
        };
        for (Object[] c : configs) {
            List<String> cmd = List.of(binary.toString(), Integer.toString(sockets), Integer.toString(frameBytes),
                    c[1].toString(), c[3].toString(), c[2].toString(), Integer.toString(writerCpu),
                    Integer.toString(readerCpu), c[4].toString());
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String line;
            try (InputStream in = p.getInputStream()) {
                line = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            }
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("floor program failed: " + line);
            }
            JsonNode j = JSON.readTree(line);
            Point point = new Point((String) c[0], (Integer) c[1], (Double) c[2], j.get("writes").asLong(),
                    j.get("cpu_us_per_write").asDouble(), j.get("cpu_us_per_frame").asDouble(),
                    j.get("sys_share").asDouble());
            points.add(point);
            out.printf("[floor] %s: %.2f us CPU per write, %.2f us per frame (%d writes)%n", point.label(),
                    point.cpuMicrosPerWrite(), point.cpuMicrosPerFrame(), point.writes());
        }
        return new Result(points);
    }

    /** Measures with the run's CPU pinning and adds the points to its report. */
    static Result measureForReport(BenchRun run) throws IOException, InterruptedException {
        int writer = cpu(run.options().serverCpu);
        int reader = writer < 0 ? -1 : (writer == 0 ? 1 : 0);
        Result r = measure(run.runDir(), 5_000, 66, writer, reader, run.out());
        StringBuilder md = new StringBuilder("| configuration | writes | CPU us per write | CPU us per frame | "
                + "kernel share |\n|---|---:|---:|---:|---:|\n");
        for (Point p : r.points()) {
            md.append(String.format("| %s | %,d | %.2f | %.2f | %.0f%% |%n", p.label(), p.writes(),
                    p.cpuMicrosPerWrite(), p.cpuMicrosPerFrame(), 100 * p.sysShare()));
        }
        run.report().section("Loopback write(2) floor (5,000 sockets, 66-byte frames, writer on CPU " + writer
                + ", reader on CPU " + reader + ")", md.toString());
        run.report().result("floor_cpu_per_write_us (1 frame, paced)", r.paced1().cpuMicrosPerWrite());
        run.report().extra("floor", r);
        return r;
    }

    /** The {@code floor} scenario on its own. */
    public static void scenario(BenchRun run) throws IOException, InterruptedException {
        Result r = measureForReport(run);
        run.report().param("sockets", 5_000).param("frame_bytes", 66);
        for (Point p : r.points()) {
            run.report().result(p.label() + ": CPU us per write", p.cpuMicrosPerWrite());
        }
    }

    private static int cpu(String list) {
        if (list == null || list.isBlank()) {
            return -1;
        }
        try {
            return Integer.parseInt(list.split("[,-]")[0].trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Path compile(Path workDir) throws IOException, InterruptedException {
        Files.createDirectories(workDir);
        Path source = workDir.resolve("floor.c");
        try (InputStream in = Floor.class.getResourceAsStream("/dev/herald/bench/floor.c")) {
            if (in == null) {
                throw new IOException("floor.c missing from the jar");
            }
            Files.write(source, in.readAllBytes());
        }
        Path binary = workDir.resolve("floor");
        Process gcc = new ProcessBuilder("gcc", "-O2", "-o", binary.toString(), source.toString())
                .redirectErrorStream(true).start();
        String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!gcc.waitFor(60, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
            throw new IOException("gcc failed (is gcc installed?): " + output);
        }
        return binary;
    }
}
