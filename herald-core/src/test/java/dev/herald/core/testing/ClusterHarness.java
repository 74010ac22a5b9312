package dev.herald.core.testing;

import dev.herald.core.cluster.ClusterTiming;
import dev.herald.core.cluster.MemoryControlBus;
import dev.herald.core.config.HeraldConfig;
import dev.herald.core.time.ManualScheduler;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Several real nodes in one JVM on manual time, sharing an in-memory engine ({@link SharedBroker}) and control
 * bus ({@link MemoryControlBus}): the cluster's semantics without Redis or NATS, deterministic because everything
 * runs on the test thread when the test moves time. Faults: {@link #silence} a node (it stops answering and
 * heartbeating), delay the broker or the bus.
 */
public final class ClusterHarness implements AutoCloseable {
    public final ManualScheduler time = new ManualScheduler();
    public final MemoryControlBus bus = new MemoryControlBus(time);
    public final SharedBroker broker = new SharedBroker(time);
    private final List<TestNode> nodes = new ArrayList<>();

    /** {@code size} nodes named {@code node-a}, {@code node-b}, ...; each gets its own config. */
    public ClusterHarness(int size, Supplier<HeraldConfig> config) {
        for (int i = 0; i < size; i++) {
            nodes.add(TestNode.inCluster(config.get(), time, broker.view(), bus.controller(),
                    "node-" + (char) ('a' + i)));
        }
        // One heartbeat round: every node lists every other.
        time.advance(ClusterTiming.DEFAULTS.heartbeatInterval());
    }

    public TestNode node(int i) {
        return nodes.get(i);
    }

    public List<TestNode> nodes() {
        return List.copyOf(nodes);
    }

    /** Registers a connection token on every node. */
    public void connectToken(String token, String user) {
        for (TestNode n : nodes) {
            n.connectToken(token, user, null, 0, null, List.of());
        }
    }

    /** The node stops answering: control messages to it are dropped and it no longer heartbeats. */
    public void silence(int i) {
        bus.stop(nodes.get(i).node.id());
    }

    @Override
    public void close() {
        nodes.forEach(TestNode::close);
    }
}
