package dev.herald.engines.nats;

import dev.herald.core.channel.ChannelKey;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdempotencyCacheTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final IdempotencyCache cache = new IdempotencyCache(3, 100, now::get);
    private final ChannelKey chat = ChannelKey.of("chat");

    @Test
    void aKeyIsSeenWithinItsWindowAndPerChannel() {
        cache.remember(chat, "k");
        assertTrue(cache.seen(chat, "k"));
        assertFalse(cache.seen(ChannelKey.of("other"), "k"));
        assertFalse(cache.seen(new ChannelKey("app", "chat"), "k"));
        now.addAndGet(99);
        assertTrue(cache.seen(chat, "k"));
        now.addAndGet(1);
        assertFalse(cache.seen(chat, "k"), "the window is over");
    }

    @Test
    void theOldestKeyGoesFirstPastTheBound() {
        for (String key : new String[]{"a", "b", "c", "d"}) {
            cache.remember(chat, key);
            now.incrementAndGet();
        }
        assertEquals(3, cache.size());
        assertFalse(cache.seen(chat, "a"));
        assertTrue(cache.seen(chat, "d"));
    }
}
