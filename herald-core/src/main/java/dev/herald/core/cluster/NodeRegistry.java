package dev.herald.core.cluster;

import dev.herald.core.time.Scheduler;
import dev.herald.protocol.control.ControlMessage.NodeInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The nodes of the cluster as this node knows them from their heartbeats, and this node's own heartbeat.
 *
 * <p>Every {@link ClusterTiming#heartbeatInterval} the registry publishes this node's info and forgets nodes
 * whose last heartbeat is older than {@link ClusterTiming#heartbeatWindow}. Listings apply the window themselves,
 * so a node is gone the moment its window has passed, whenever the clean-up last ran. Arrival times are read
 * from this node's clock, never from the sender's, so clock skew between machines does not matter.
 *
 * <p>Threading: {@link #heard} is called on the controller's threads, the heartbeat on the scheduler's; all
 * methods are thread-safe and non-blocking. The info supplier runs on the scheduler's thread and must be cheap
 * (counters, not a walk over the sessions).
 */
public final class NodeRegistry {
    private static final Logger log = LoggerFactory.getLogger(NodeRegistry.class);

    private final String selfId;
    private final Scheduler scheduler;
    private final LongSupplier clock;
    private final long intervalMillis;
    private final long windowMillis;
    private final Map<String, Seen> peers = new ConcurrentHashMap<>();
    private volatile Supplier<NodeInfo> self;
    private volatile Consumer<NodeInfo> publish;
    private volatile Scheduler.Cancellable next;
    private volatile boolean stopped;

    /** A peer's last heartbeat and when it arrived, by this node's clock in millis. */
    private record Seen(NodeInfo info, long atMillis) {
    }

    /**
     * @param clock this node's clock in milliseconds (any epoch: only differences are used)
     */
    public NodeRegistry(String selfId, Scheduler scheduler, LongSupplier clock, ClusterTiming timing) {
        this.selfId = selfId;
        this.scheduler = scheduler;
        this.clock = clock;
        this.intervalMillis = timing.heartbeatInterval().toMillis();
        this.windowMillis = timing.heartbeatWindow().toMillis();
    }

    /**
     * Publishes this node's heartbeat now and then every interval, until {@link #stop}.
     *
     * @param self    this node's current info (its id must be this registry's node id)
     * @param publish sends a heartbeat to the other nodes
     */
    public void start(Supplier<NodeInfo> self, Consumer<NodeInfo> publish) {
        this.self = self;
        this.publish = publish;
        tick();
    }

    /** Stops the heartbeat; the peers drop this node after their window. */
    public void stop() {
        stopped = true;
        Scheduler.Cancellable pending = next;
        if (pending != null) {
            pending.cancel();
        }
    }

    /**
     * Records a peer's heartbeat.
     *
     * @return true when the peer was not live before (new, or back after its window passed)
     */
    public boolean heard(NodeInfo info) {
        if (info.id().equals(selfId)) {
            return false;
        }
        long now = clock.getAsLong();
        Seen before = peers.put(info.id(), new Seen(info, now));
        return before == null || !live(before, now);
    }

    /** The ids of the live peers (this node not included), in id order. */
    public Set<String> peers() {
        long now = clock.getAsLong();
        Set<String> ids = new TreeSet<>();
        peers.forEach((id, seen) -> {
            if (live(seen, now)) {
                ids.add(id);
            }
        });
        return ids;
    }

    /** Every live node with its last known info, this node's current info included, in id order. */
    public List<NodeInfo> nodes() {
        long now = clock.getAsLong();
        List<NodeInfo> nodes = new ArrayList<>();
        Supplier<NodeInfo> own = self;
        if (own != null) {
            nodes.add(own.get());
        }
        peers.values().forEach(seen -> {
            if (live(seen, now)) {
                nodes.add(seen.info());
            }
        });
        nodes.sort(Comparator.comparing(NodeInfo::id));
        return nodes;
    }

    /** Forgets the peers whose window has passed. */
    void prune() {
        long now = clock.getAsLong();
        // remove(key, value) leaves a peer alone whose fresh heartbeat replaced the stale entry meanwhile
        peers.forEach((id, seen) -> {
            if (!live(seen, now)) {
                peers.remove(id, seen);
            }
        });
    }

    private boolean live(Seen seen, long now) {
        return now - seen.atMillis() <= windowMillis;
    }

    private void tick() {
        if (stopped) {
            return;
        }
        try {
            prune();
            publish.accept(self.get());
        } catch (RuntimeException e) {
            log.warn("heartbeat of node {} failed", selfId, e);
        } finally {
            // stop() may run between the check and here; then the next tick sees the flag and ends the loop
            if (!stopped) {
                next = scheduler.schedule(this::tick, intervalMillis, TimeUnit.MILLISECONDS);
            }
        }
    }
}
