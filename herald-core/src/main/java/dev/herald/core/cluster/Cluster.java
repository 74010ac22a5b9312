package dev.herald.core.cluster;

import dev.herald.core.time.Scheduler;
import dev.herald.protocol.control.ControlCodec;
import dev.herald.protocol.control.ControlCodecException;
import dev.herald.protocol.control.ControlMessage;
import dev.herald.protocol.control.ControlMessage.NodeInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * This node's side of the cluster, on top of any {@link Controller}: sends control messages to the other nodes,
 * runs surveys, keeps the {@link NodeRegistry} fed with heartbeats, and dispatches what arrives. The node talks to
 * this class only; an engine only moves bytes.
 *
 * <p>What arrives is decoded once here. Messages from this node itself (an engine may loop a broadcast back) and
 * messages of a type this release does not know are dropped, as are bytes that do not decode (logged). A
 * heartbeat feeds the registry, and a peer heard for the first time is sent this node's info at once, so a new
 * node lists the whole cluster without waiting a heartbeat interval. Survey requests are answered through the
 * handler, survey replies complete this node's surveys, and every other message goes to
 * {@link ControlHandler#handle}.
 *
 * <p>A server API action is applied locally by the node and sent with {@link #broadcast}; a listing is a
 * {@link #survey}. With the {@link LocalController} there are no peers: broadcasts go nowhere and surveys hold
 * the local answer only, complete.
 *
 * <p>Threading: all methods are thread-safe and non-blocking. Received messages are handled on the controller's
 * threads, heartbeats and survey timeouts run on the scheduler's (see {@link Surveys} for where a survey
 * completes).
 */
public final class Cluster implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Cluster.class);

    private final Controller controller;
    private final String nodeId;
    private final ClusterTiming timing;
    private final NodeRegistry registry;
    private final Surveys surveys;
    private volatile ControlHandler handler;
    private volatile Supplier<NodeInfo> self;

    /**
     * @param clock this node's clock in milliseconds, for heartbeat ages (swappable so tests drive time)
     */
    public Cluster(Controller controller, String nodeId, Scheduler scheduler, LongSupplier clock,
                   ClusterTiming timing) {
        this.controller = controller;
        this.nodeId = nodeId;
        this.timing = timing;
        this.registry = new NodeRegistry(nodeId, scheduler, clock, timing);
        this.surveys = new Surveys(nodeId, scheduler, this::broadcast, this::send);
    }

    /**
     * Starts receiving and heartbeating.
     *
     * @param handler applies the other nodes' actions and answers surveys, this node's own included
     * @param self    this node's current info for heartbeats and {@link #nodes}; its id must be {@link #nodeId}
     */
    public void start(ControlHandler handler, Supplier<NodeInfo> self) {
        this.handler = handler;
        this.self = self;
        controller.start(nodeId, this::receive);
        registry.start(self, this::broadcast);
    }

    public String nodeId() {
        return nodeId;
    }

    /** Sends to every other node (not this one: the node applies its own actions itself). */
    public CompletionStage<Void> broadcast(ControlMessage message) {
        return controller.broadcast(encode(message));
    }

    /** Sends to one node. */
    public CompletionStage<Void> send(String node, ControlMessage message) {
        return controller.send(node, encode(message));
    }

    /** Asks every live node (this one included) with the default timeout. */
    public CompletionStage<SurveyResult<byte[]>> survey(String op, byte[] payload) {
        return survey(op, payload, timing.surveyTimeout());
    }

    /**
     * Asks every live node, this one included; the result completes when all answered or at {@code timeout},
     * naming the nodes that did not answer.
     */
    public CompletionStage<SurveyResult<byte[]>> survey(String op, byte[] payload, Duration timeout) {
        Set<String> expected = new HashSet<>(registry.peers());
        expected.add(nodeId);
        return surveys.start(expected, null, op, payload, timeout, handler);
    }

    /**
     * Asks one node (possibly this one, answered locally), e.g. the node holding a session; its answer, or its
     * id in {@code missing} after {@code timeout}.
     */
    public CompletionStage<SurveyResult<byte[]>> ask(String node, String op, byte[] payload, Duration timeout) {
        return surveys.start(Set.of(node), node, op, payload, timeout, handler);
    }

    /** Every live node with its last heartbeat's info, this node's current info included, in id order. */
    public List<NodeInfo> nodes() {
        return registry.nodes();
    }

    /**
     * Stops heartbeating and receiving; peers drop this node after their heartbeat window. Surveys still waiting
     * complete at once, the nodes that had not answered listed as missing.
     */
    @Override
    public void close() {
        registry.stop();
        controller.close();
        surveys.finishAll();
    }

    /** Surveys still waiting for answers; for tests and metrics. */
    int pendingSurveys() {
        return surveys.pendingCount();
    }

    private byte[] encode(ControlMessage message) {
        if (!message.sender().equals(nodeId)) {
            throw new IllegalArgumentException("node " + nodeId + " cannot send a message from " + message.sender());
        }
        return ControlCodec.encode(message);
    }

    private void receive(byte[] bytes) {
        ControlMessage message;
        try {
            message = ControlCodec.decode(bytes);
        } catch (ControlCodecException e) {
            log.warn("node {} dropped a control message it cannot read: {}", nodeId, e.getMessage());
            return;
        }
        if (message.sender().equals(nodeId)) {
            return;
        }
        try {
            dispatch(message);
        } catch (RuntimeException e) {
            // The controller's thread must survive a failing handler; the sender learns nothing either way.
            log.warn("node {} failed to handle {} from {}", nodeId, message.getClass().getSimpleName(),
                    message.sender(), e);
        }
    }

    private void dispatch(ControlMessage message) {
        switch (message) {
            case NodeInfo info -> {
                if (registry.heard(info)) {
                    send(info.id(), self.get()).exceptionally(e -> null);
                }
            }
            case ControlMessage.SurveyRequest request -> surveys.answer(request, handler);
            case ControlMessage.SurveyReply reply -> surveys.record(reply);
            case ControlMessage.Unknown unknown -> log.debug("node {} ignored control message type {} version {} "
                    + "from {}", nodeId, unknown.type(), unknown.version(), unknown.sender());
            default -> handler.handle(message);
        }
    }
}
