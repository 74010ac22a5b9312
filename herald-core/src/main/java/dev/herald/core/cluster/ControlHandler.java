package dev.herald.core.cluster;

import dev.herald.protocol.control.ControlMessage;

import java.util.concurrent.CompletionStage;

/**
 * What a node does with the control traffic of the other nodes; the node implements it and hands it to
 * {@link Cluster#start}. Heartbeats, survey replies and messages of unknown types never reach it: the cluster
 * consumes them.
 *
 * <p>Threading: both methods are called on the controller's threads (see {@link Controller}) and must not
 * block: apply the action to the local hub, or start the work and return a stage.
 */
public interface ControlHandler {

    /**
     * Applies an action another node received through its server API to this node's sessions: a
     * {@link ControlMessage.Disconnect}, {@link ControlMessage.Subscribe}, {@link ControlMessage.Unsubscribe},
     * {@link ControlMessage.Refresh} or {@link ControlMessage.TerminateConnections}.
     */
    void handle(ControlMessage message);

    /**
     * This node's answer to a survey, in the op's own encoding. Also called for the surveys this node starts
     * itself, so the requester's answer comes from here directly. A failed stage (or a thrown exception) is
     * reported to the requester as this node's error.
     */
    CompletionStage<byte[]> answer(ControlMessage.SurveyRequest request);
}
