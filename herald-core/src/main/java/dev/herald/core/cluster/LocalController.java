package dev.herald.core.cluster;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The controller of a node alone: there is no other node, so nothing is ever received and every send is done at
 * once without going anywhere. With it, {@link Cluster} lists this node only and a survey holds the local answer,
 * complete. The default when no cluster engine is configured.
 */
public final class LocalController implements Controller {
    private static final CompletionStage<Void> DONE = CompletableFuture.completedStage(null);

    @Override
    public void start(String nodeId, Receiver receiver) {
        // nobody else will ever send anything
    }

    @Override
    public CompletionStage<Void> broadcast(byte[] message) {
        return DONE;
    }

    @Override
    public CompletionStage<Void> send(String nodeId, byte[] message) {
        return DONE;
    }

    @Override
    public void close() {
        // nothing held
    }
}
