package dev.herald.bench.load;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A load worker in its own JVM ({@link WorkerMain}), so that each process stays under the per-process file limit.
 * The child inherits this process's CPU affinity.
 */
public final class RemoteWorker implements WorkerHandle {
    private final Process process;
    private final OutputStream stdin;
    private final AtomicReference<WorkerStatus> latest;
    private final AtomicReference<CompletableFuture<String>> pending = new AtomicReference<>();
    private final CompletableFuture<Void> alive = new CompletableFuture<>();

    public RemoteWorker(WorkerPlan plan, List<String> jvmOptions, Path log) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(WorkerMain.class.getName());
        cmd.add(Base64.getEncoder().encodeToString(WorkerMain.JSON.writeValueAsBytes(plan)));
        this.process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        this.stdin = process.getOutputStream();
        this.latest = new AtomicReference<>(new WorkerStatus(plan.workerIndex(), plan.count(), 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, -1, false, Map.of()));
        Thread reader = new Thread(this::readLoop, "worker-" + plan.workerIndex() + "-reader");
        reader.setDaemon(true);
        reader.start();
    }

    private void readLoop() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("STATUS ")) {
                    latest.set(WorkerMain.JSON.readValue(line.substring(7), WorkerStatus.class));
                    alive.complete(null);
                } else {
                    CompletableFuture<String> f = pending.getAndSet(null);
                    if (f != null) {
                        f.complete(line);
                    }
                }
            }
        } catch (IOException e) {
            // the process ended; status() keeps the last counters
        }
        CompletableFuture<String> f = pending.getAndSet(null);
        if (f != null) {
            f.completeExceptionally(new IOException("worker process ended"));
        }
    }

    private String request(String command, long timeoutSeconds) {
        CompletableFuture<String> f = new CompletableFuture<>();
        pending.set(f);
        try {
            stdin.write((command + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            return f.get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("worker did not answer " + command + ": " + e, e);
        }
    }

    @Override
    public boolean awaitAlive(long timeoutMillis) {
        try {
            alive.get(timeoutMillis, TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void start() {
        try {
            stdin.write("START\n".getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            throw new IllegalStateException("worker process gone", e);
        }
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public WorkerStatus status() {
        return latest.get();
    }

    @Override
    public WorkerReport report() {
        String line = request("REPORT", 60);
        try {
            JsonNode node = WorkerMain.JSON.readTree(line.substring("REPORT ".length()));
            WorkerStatus status = WorkerMain.JSON.treeToValue(node.get("status"), WorkerStatus.class);
            return new WorkerReport(status, WorkerReport.decode(node.get("measured").asText()),
                    WorkerReport.decode(node.get("warmup").asText()), WorkerReport.decode(node.get("connect").asText()),
                    WorkerReport.decode(node.get("ready").asText()));
        } catch (IOException e) {
            throw new IllegalStateException("bad report from worker: " + e, e);
        }
    }

    @Override
    public void closeConnections() {
        request("CLOSE", 60);
    }

    @Override
    public void close() {
        try {
            stdin.write("EXIT\n".getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            stdin.close();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
