package dev.herald.core;

import dev.herald.core.auth.SubscribeOptions;
import dev.herald.core.channel.ChannelKey;
import dev.herald.core.client.ClientSession;
import dev.herald.core.cluster.Cluster;
import dev.herald.core.cluster.Payloads;
import dev.herald.core.cluster.ControlHandler;
import dev.herald.core.cluster.SurveyResult;
import dev.herald.core.codes.Disconnect;
import dev.herald.core.hub.HubSession;
import dev.herald.protocol.control.ControlCodec;
import dev.herald.protocol.control.ControlCodecException;
import dev.herald.protocol.control.ControlMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node's cluster-wide side: the server API's actions on connections reach every node, and listings ask every
 * node. An action ({@code disconnect}, {@code subscribe}, {@code unsubscribe}, {@code refresh}, terminate) is a
 * survey whose payload is the encoded {@link ControlMessage}: each node, this one included, applies it to its own
 * hub and answers how many of its connections it touched, so the call completes once every node has acted (or
 * the survey timed out, and the result names the nodes that did not answer). Listings are surveys with ops that
 * other packages register ({@link #registerSurvey}), answered from each node's hub.
 *
 * <p>With the {@link dev.herald.core.cluster.LocalController} the only node is this one and every survey completes
 * on the caller's thread, so a single node behaves exactly as before: a disconnected session is out of the hub
 * when the call returns.
 */
public final class NodeControl implements ControlHandler {
    private static final Logger log = LoggerFactory.getLogger(NodeControl.class);
    /** The survey op of actions: its payload is an encoded {@link ControlMessage}. */
    static final String ACTION = "action";
    static final String EMULATION = "emulation";
    /** Survey op: how many connections a user holds on each node. */
    static final String USER_COUNT = "user_count";
    /** Survey op: close a user's connections made before a time (single_connection across nodes). */
    static final String CLOSE_OLDER = "close_older";
    /**
     * How long a connect waits for the other nodes' counts of its user: short, because the client waits too, and
     * the limit is best effort when a node is slow (it counts the nodes that answered).
     */
    static final Duration USER_RULES_TIMEOUT = Duration.ofSeconds(1);

    /** A survey op's answer on this node. */
    @FunctionalInterface
    public interface SurveyAnswer {
        CompletionStage<byte[]> answer(byte[] payload);
    }

    private final Node node;
    private final Cluster cluster;
    private final Map<String, SurveyAnswer> ops = new ConcurrentHashMap<>();

    NodeControl(Node node, Cluster cluster) {
        this.node = node;
        this.cluster = cluster;
        ops.put(ACTION, this::applyAction);
        ops.put(EMULATION, this::emulation);
        ops.put(USER_COUNT, this::userCount);
        ops.put(CLOSE_OLDER, this::closeOlder);
    }

    /**
     * Registers how this node answers survey {@code op} (listings of the server API); a later registration of the
     * same op replaces the earlier one (every API executor of a node answers alike).
     */
    public void registerSurvey(String op, SurveyAnswer answer) {
        if (op.equals(ACTION) || op.equals(EMULATION) || op.equals(USER_COUNT) || op.equals(CLOSE_OLDER)) {
            throw new IllegalArgumentException("survey op " + op + " is the node's own");
        }
        ops.put(op, answer);
    }

    /** Asks every node, this one included; completes within the cluster's survey timeout. */
    public CompletionStage<SurveyResult<byte[]>> survey(String op, byte[] payload) {
        return cluster.survey(op, payload);
    }

    /** The live nodes with their latest figures, this one first. */
    public List<NodeInfo> nodes() {
        List<NodeInfo> out = new ArrayList<>();
        out.add(node.info());
        for (ControlMessage.NodeInfo n : cluster.nodes()) {
            if (!n.id().equals(node.id())) {
                out.add(new NodeInfo(n.id(), n.name(), n.version(), (int) n.clients(), (int) n.users(),
                        (int) n.subscriptions(), (int) n.channels(), n.uptimeSeconds()));
            }
        }
        return out;
    }

    // ---- actions ----

    /** Disconnects the matching connections of the default app on every node; answers: connections closed. */
    public CompletionStage<SurveyResult<Integer>> disconnect(String user, String client, String session,
                                                             Set<String> whitelist, Disconnect disconnect) {
        return act(new ControlMessage.Disconnect(node.id(), ChannelKey.DEFAULT_APP, user, client, session,
                whitelist == null ? List.of() : List.copyOf(whitelist), disconnect.code(), disconnect.reason()));
    }

    /** Subscribes the matching connections on every node server-side (the channel is checked by the caller). */
    public CompletionStage<SurveyResult<Integer>> subscribe(ControlMessage.Subscribe request) {
        return act(request);
    }

    public CompletionStage<SurveyResult<Integer>> unsubscribe(String user, String channel, String client,
                                                              String session) {
        return act(new ControlMessage.Unsubscribe(node.id(), ChannelKey.DEFAULT_APP, user, channel, client,
                session));
    }

    public CompletionStage<SurveyResult<Integer>> refresh(String user, String client, String session,
                                                          boolean expired, long expireAt, byte[] info) {
        return act(new ControlMessage.Refresh(node.id(), ChannelKey.DEFAULT_APP, user, client, session, expired,
                expireAt, info));
    }

    /** Closes every connection of {@code user} in {@code app} on every node, whatever its protocol. */
    public CompletionStage<SurveyResult<Integer>> terminate(String app, String user) {
        return act(new ControlMessage.TerminateConnections(node.id(), app, user));
    }

    private CompletionStage<SurveyResult<Integer>> act(ControlMessage action) {
        return cluster.survey(ACTION, ControlCodec.encode(action)).thenApply(r -> r.map(NodeControl::readCount));
    }

    // ---- user rules across the cluster ----

    /** How many connections {@code user} of {@code app} holds on the other nodes (see ClusterUsers). Never fails. */
    public CompletionStage<Integer> countElsewhere(String app, String user) {
        byte[] payload = Payloads.write(out -> {
            Payloads.string(out, 1, app);
            Payloads.string(out, 2, user);
        });
        return cluster.survey(USER_COUNT, payload, USER_RULES_TIMEOUT)
                .thenApply(r -> r.map(NodeControl::readCount).answers().entrySet().stream()
                        .filter(e -> !e.getKey().equals(node.id()))
                        .mapToInt(Map.Entry::getValue).sum())
                .exceptionally(error -> 0);
    }

    /**
     * Closes, on the other nodes, {@code user}'s connections made before {@code connectedAtMillis} with 3504
     * (single_connection). Fire and forget: the new connection does not wait for them.
     */
    public void closeOlderElsewhere(String app, String user, String keepClientId, long connectedAtMillis) {
        byte[] payload = Payloads.write(out -> {
            Payloads.string(out, 1, app);
            Payloads.string(out, 2, user);
            Payloads.string(out, 3, keepClientId);
            out.writeInt64(4, connectedAtMillis);
        });
        cluster.survey(CLOSE_OLDER, payload, USER_RULES_TIMEOUT);
    }

    private CompletionStage<byte[]> userCount(byte[] payload) {
        String[] appUser = {"", ""};
        try {
            Payloads.read(payload, (field, in) -> {
                if (field == 1 || field == 2) {
                    appUser[field - 1] = in.readString();
                    return true;
                }
                return false;
            });
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return CompletableFuture.completedFuture(count(node.hub().userSessions(appUser[0], appUser[1]).size()));
    }

    private CompletionStage<byte[]> closeOlder(byte[] payload) {
        String[] text = {"", "", ""};
        long[] before = {0};
        try {
            Payloads.read(payload, (field, in) -> {
                switch (field) {
                    case 1, 2, 3 -> text[field - 1] = in.readString();
                    case 4 -> before[0] = in.readInt64();
                    default -> {
                        return false;
                    }
                }
                return true;
            });
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        int closed = 0;
        for (HubSession s : node.hub().userSessions(text[0], text[1])) {
            // A connection newer than the one that asked stays: of two made at once on two nodes, the newest wins.
            if (!s.id().equals(text[2]) && s.connectedAtMillis() <= before[0]) {
                s.close(Disconnect.CONNECTION_LIMIT);
                closed++;
            }
        }
        return CompletableFuture.completedFuture(count(closed));
    }

    /**
     * Hands an emulation request to the node that holds the session. Completes with true when that node found
     * the session (and queued the data to it), false when it did not or did not answer in time.
     */
    public CompletionStage<Boolean> forwardEmulation(String nodeId, String sessionId, byte[] data,
                                                     Duration timeout) {
        byte[] payload = Payloads.write(out -> {
            out.writeString(1, sessionId);
            out.writeByteArray(2, data);
        });
        return cluster.ask(nodeId, EMULATION, payload, timeout)
                .thenApply(r -> r.answers().containsKey(nodeId) && readCount(r.answers().get(nodeId)) > 0);
    }

    // ---- ControlHandler ----

    @Override
    public void handle(ControlMessage message) {
        apply(message);
    }

    @Override
    public CompletionStage<byte[]> answer(ControlMessage.SurveyRequest request) {
        SurveyAnswer op = ops.get(request.op());
        if (op == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("unknown survey op " + request.op()));
        }
        return op.answer(request.payload());
    }

    private CompletionStage<byte[]> applyAction(byte[] payload) {
        ControlMessage message;
        try {
            message = ControlCodec.decode(payload);
        } catch (ControlCodecException e) {
            return CompletableFuture.failedFuture(e);
        }
        return CompletableFuture.completedFuture(count(apply(message)));
    }

    /** Applies an action to this node's connections; returns how many it touched. */
    private int apply(ControlMessage message) {
        return switch (message) {
            case ControlMessage.Disconnect d -> node.disconnect(d.user(), d.client(), d.session(),
                    d.whitelist().isEmpty() ? null : new HashSet<>(d.whitelist()), new Disconnect(d.code(), d.reason()));
            case ControlMessage.Subscribe s -> node.subscribe(s.user(), s.channel(), s.client(), s.session(),
                    new SubscribeOptions(s.info(), s.data(), override(s.override())), s.recoverSince(), s.expireAt());
            case ControlMessage.Unsubscribe u -> node.unsubscribe(u.user(), u.channel(), u.client(), u.session());
            case ControlMessage.Refresh r -> node.refresh(r.user(), r.client(), r.session(), r.expired(),
                    r.expireAt(), r.info());
            case ControlMessage.TerminateConnections t -> terminateLocally(t.app(), t.user());
            default -> {
                log.debug("control message {} ignored", message.getClass().getSimpleName());
                yield 0;
            }
        };
    }

    private int terminateLocally(String app, String user) {
        List<HubSession> sessions = node.hub().userSessions(app, user);
        for (HubSession s : sessions) {
            s.close(Disconnect.FORCE_DISCONNECT);
        }
        return sessions.size();
    }

    private CompletionStage<byte[]> emulation(byte[] payload) {
        String[] sessionId = {""};
        byte[][] data = {new byte[0]};
        try {
            Payloads.read(payload, (field, in) -> {
                switch (field) {
                    case 1 -> sessionId[0] = in.readString();
                    case 2 -> data[0] = in.readByteArray();
                    default -> {
                        return false;
                    }
                }
                return true;
            });
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (!(node.hub().sessionBySessionId(sessionId[0]) instanceof ClientSession session)) {
            return CompletableFuture.completedFuture(count(0));
        }
        byte[] frame = data[0];
        session.executor().execute(() -> session.handleFrame(frame));
        return CompletableFuture.completedFuture(count(1));
    }

    private static SubscribeOptions.Override override(ControlMessage.Subscribe.Override o) {
        return o == null ? null : new SubscribeOptions.Override(o.presence(), o.joinLeave(), o.forceRecovery(),
                o.forcePositioning(), o.forcePushJoinLeave());
    }

    // ---- small payloads ----

    private static byte[] count(int n) {
        return Payloads.write(out -> out.writeUInt32(1, n));
    }

    private static int readCount(byte[] payload) {
        int[] n = new int[1];
        Payloads.read(payload, (field, in) -> {
            if (field == 1) {
                n[0] = in.readUInt32();
                return true;
            }
            return false;
        });
        return n[0];
    }
}
