package dev.herald.bench.load;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A worker process: runs one {@link LoadWorker} for the plan given (base64 JSON) as its argument. Writes
 * {@code STATUS <json>} lines every 100 ms (the first one says the process is up) and answers the
 * coordinator's stdin commands {@code START} (open the connections), {@code REPORT}, {@code CLOSE} and {@code EXIT}. Exits when stdin closes (the coordinator is gone) or the plan's lifetime ends.
 */
public final class WorkerMain {
    static final ObjectMapper JSON = new ObjectMapper();

    private WorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        WorkerPlan plan = JSON.readValue(Base64.getDecoder().decode(args[0]), WorkerPlan.class);
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        LoadWorker worker = new LoadWorker(plan);
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "worker-status");
            t.setDaemon(true);
            return t;
        });
        Object lock = new Object();
        ticker.scheduleAtFixedRate(() -> {
            try {
                String line = "STATUS " + JSON.writeValueAsString(worker.status());
                synchronized (lock) {
                    out.println(line);
                    out.flush();
                }
            } catch (Exception e) {
                System.err.println("status failed: " + e);
            }
        }, 100, 100, TimeUnit.MILLISECONDS);
        ticker.schedule(() -> {
            System.err.println("worker " + plan.workerIndex() + ": lifetime over, exiting");
            Runtime.getRuntime().halt(3);
        }, plan.maxLifetimeSeconds(), TimeUnit.SECONDS);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            switch (line.trim()) {
                case "START" -> worker.start();
                case "REPORT" -> {
                    String json = JSON.writeValueAsString(encode(worker.report()));
                    synchronized (lock) {
                        out.println("REPORT " + json);
                        out.flush();
                    }
                }
                case "CLOSE" -> {
                    worker.closeConnections();
                    synchronized (lock) {
                        out.println("CLOSED");
                        out.flush();
                    }
                }
                case "EXIT" -> {
                    worker.close();
                    System.exit(0);
                }
                default -> System.err.println("unknown command " + line);
            }
        }
        worker.close();
        System.exit(0);
    }

    static Map<String, Object> encode(WorkerReport report) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", report.status());
        m.put("measured", WorkerReport.encode(report.measuredLatency()));
        m.put("warmup", WorkerReport.encode(report.warmupLatency()));
        m.put("connect", WorkerReport.encode(report.connectLatency()));
        m.put("ready", WorkerReport.encode(report.readyLatency()));
        return m;
    }
}
