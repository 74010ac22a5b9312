package dev.herald.core.engine;

import java.time.Duration;

/** History settings for one publish; {@code historySize == 0} means no history. */
public record PublishOptions(int historySize, Duration historyTtl, Duration historyMetaTtl, String idempotencyKey) {
    public static final PublishOptions NO_HISTORY = new PublishOptions(0, Duration.ZERO, Duration.ZERO, null);

    public boolean withHistory() {
        return historySize > 0 && historyTtl != null && historyTtl.isPositive();
    }
}
