package dev.herald.engines;

import dev.herald.core.cluster.Controller;
import dev.herald.core.engine.Broker;
import dev.herald.core.engine.PresenceManager;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * What {@link Engines#create} built for a node: its broker, presence manager and controller, what to ask for
 * {@code /health}, and the connections to close after the node has shut down.
 *
 * @param description one line for the start-up log, e.g. "redis (2 shards, prefix centrifugo)"
 * @param problems    the engine's current problems (empty when healthy), e.g. "redis 127.0.0.1:6379 unreachable"
 */
public record EngineSet(Broker broker, PresenceManager presence, Controller controller, String description,
                        Supplier<List<String>> problems, List<AutoCloseable> resources) implements AutoCloseable {

    /** Closes the shared connections (the node has closed its broker, presence manager and controller already). */
    @Override
    public void close() {
        for (AutoCloseable resource : resources.reversed()) {
            try {
                resource.close();
            } catch (Exception e) {
                // best effort at shutdown: the process is going away
            }
        }
    }

    /** Collects problems from several checks; each returns null when fine. */
    static Supplier<List<String>> problems(List<Supplier<String>> checks) {
        List<Supplier<String>> copy = List.copyOf(checks);
        return () -> {
            List<String> out = new ArrayList<>();
            for (Supplier<String> check : copy) {
                String problem = check.get();
                if (problem != null) {
                    out.add(problem);
                }
            }
            return out;
        };
    }
}
