package dev.herald.bench.load;

import java.util.Map;

/**
 * A worker's counters at one moment; every count is cumulative since the worker started.
 *
 * @param measuredP99Micros p99 delivery latency of the measured publications received so far (-1 if none)
 */
public record WorkerStatus(int workerIndex, int target, long started, long wsOpen, long connected, long ready,
                           long failed, long dropped, long inFlight, long deliveries, long measuredDeliveries,
                           long warmupDeliveries, long pings, long otherPushes, long measuredP99Micros,
                           boolean connectPhaseOver, Map<String, Long> failures) {

    /** Sums counters; p99 is the largest of the workers'. */
    public static WorkerStatus sum(Iterable<WorkerStatus> all) {
        int target = 0;
        long started = 0, wsOpen = 0, connected = 0, ready = 0, failed = 0, dropped = 0, inFlight = 0;
        long deliveries = 0, measured = 0, warmup = 0, pings = 0, other = 0, p99 = -1;
        boolean over = true;
        Map<String, Long> failures = new java.util.TreeMap<>();
        for (WorkerStatus s : all) {
            target += s.target;
            started += s.started;
            wsOpen += s.wsOpen;
            connected += s.connected;
            ready += s.ready;
            failed += s.failed;
            dropped += s.dropped;
            inFlight += s.inFlight;
            deliveries += s.deliveries;
            measured += s.measuredDeliveries;
            warmup += s.warmupDeliveries;
            pings += s.pings;
            other += s.otherPushes;
            p99 = Math.max(p99, s.measuredP99Micros);
            over &= s.connectPhaseOver;
            s.failures.forEach((k, v) -> failures.merge(k, v, Long::sum));
        }
        return new WorkerStatus(-1, target, started, wsOpen, connected, ready, failed, dropped, inFlight, deliveries,
                measured, warmup, pings, other, p99, over, failures);
    }
}
