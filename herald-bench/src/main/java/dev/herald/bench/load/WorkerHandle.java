package dev.herald.bench.load;

/** A load worker in this process or in a worker process, driven by the scenario. */
public interface WorkerHandle extends AutoCloseable {
    /** Waits (bounded) until the worker can take commands: its process, if any, is up. */
    boolean awaitAlive(long timeoutMillis);

    /** Starts opening connections. */
    void start();

    /** The process the worker runs in (for its CPU time). */
    long pid();

    WorkerStatus status();

    WorkerReport report();

    void closeConnections();

    @Override
    void close();
}
