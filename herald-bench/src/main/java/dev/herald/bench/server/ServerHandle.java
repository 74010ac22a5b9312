package dev.herald.bench.server;

/**
 * The server under test: where to connect, which process to measure, and the secrets to use. The generator either
 * launched it ({@link LaunchedServer}) or attaches to one that runs already.
 */
public interface ServerHandle extends AutoCloseable {
    String host();

    int port();

    /** The process whose /proc counters are measured (a cluster's first node: the one the API calls go to). */
    long pid();

    /**
     * Every process of the server under test, whose /proc counters are summed as "server CPU": the nodes of a
     * cluster, or just {@link #pid()}.
     */
    default java.util.List<Long> pids() {
        return java.util.List.of(pid());
    }

    /**
     * Processes the server under test needs besides its own (a cluster's Redis): counted neither as server CPU nor
     * as other processes' load; scenarios that care report them on their own.
     */
    default java.util.List<Long> helperPids() {
        return java.util.List.of();
    }

    /** HS256 key for connection tokens; empty when the server accepts connections without a token. */
    String secret();

    String apiKey();

    /** What the report says about the server: how it was started, JVM options, pinning. */
    String description();

    /** Whether jcmd may be used on {@link #pid()} (GC before memory samples, class histogram, JFR). */
    boolean jcmd();

    /** Stops the server if this handle started it. */
    @Override
    void close();

    /** For measurements that need no server (the write(2) floor); /proc samples read this process. */
    record NoServer() implements ServerHandle {
        @Override
        public String host() {
            return "127.0.0.1";
        }

        @Override
        public int port() {
            return 0;
        }

        @Override
        public long pid() {
            return ProcessHandle.current().pid();
        }

        @Override
        public String secret() {
            return "";
        }

        @Override
        public String apiKey() {
            return "";
        }

        @Override
        public String description() {
            return "none (this measurement runs no server)";
        }

        @Override
        public boolean jcmd() {
            return false;
        }

        @Override
        public void close() {
        }
    }

    /** A server that runs already; nothing is stopped at the end. */
    record Attached(String host, int port, long pid, String secret, String apiKey, boolean jcmd) implements ServerHandle {
        @Override
        public String description() {
            return "attached to a running server (pid " + pid + ")";
        }

        @Override
        public void close() {
        }
    }
}
