package dev.herald.bench.load;

/** A load worker running in the scenario's own process. */
public final class LocalWorker implements WorkerHandle {
    private final LoadWorker worker;

    public LocalWorker(WorkerPlan plan) {
        this.worker = new LoadWorker(plan);
    }

    @Override
    public boolean awaitAlive(long timeoutMillis) {
        return true;
    }

    @Override
    public void start() {
        worker.start();
    }

    @Override
    public long pid() {
        return ProcessHandle.current().pid();
    }

    @Override
    public WorkerStatus status() {
        return worker.status();
    }

    @Override
    public WorkerReport report() {
        return worker.report();
    }

    @Override
    public void closeConnections() {
        worker.closeConnections();
    }

    @Override
    public void close() {
        worker.close();
    }
}
