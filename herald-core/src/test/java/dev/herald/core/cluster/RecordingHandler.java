package dev.herald.core.cluster;

import dev.herald.protocol.control.ControlMessage;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A node's control handler for tests: keeps every action it is given, and answers a survey with
 * {@code "<node>:<op>:<payload>"}, unless told to fail ({@code op} "fail" throws, "fail-later" fails the stage) or
 * to hold its answers until the test completes them ({@link #hold}).
 */
final class RecordingHandler implements ControlHandler {
    private final String nodeId;
    final List<ControlMessage> handled = new CopyOnWriteArrayList<>();
    final List<ControlMessage.SurveyRequest> asked = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<byte[]>> held = new CopyOnWriteArrayList<>();
    private volatile boolean holding;

    RecordingHandler(String nodeId) {
        this.nodeId = nodeId;
    }

    void hold() {
        holding = true;
    }

    @Override
    public void handle(ControlMessage message) {
        handled.add(message);
    }

    @Override
    public CompletionStage<byte[]> answer(ControlMessage.SurveyRequest request) {
        asked.add(request);
        switch (request.op()) {
            case "fail" -> throw new IllegalStateException(nodeId + " cannot answer");
            case "fail-later" -> {
                return CompletableFuture.failedFuture(new IllegalStateException(nodeId + " failed later"));
            }
            default -> {
                byte[] answer = answerOf(nodeId, request.op(), request.payload());
                if (holding) {
                    CompletableFuture<byte[]> later = new CompletableFuture<>();
                    held.add(later);
                    return later;
                }
                return CompletableFuture.completedFuture(answer);
            }
        }
    }

    static byte[] answerOf(String node, String op, byte[] payload) {
        return (node + ":" + op + ":" + new String(payload, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
    }
}
