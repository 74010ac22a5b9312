package dev.herald.server.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Frames a shared element once per event loop. A publication's element is the same array for every subscriber
 * (the hub encodes once per wire variant), so the loop's first subscriber frames it into a direct buffer and the
 * others get retained duplicates: no per-subscriber frame object, encoder pass or heap-to-direct copy. Only ever
 * touched by its own event loop thread.
 */
final class FrameCache {
    /** How one transport kind turns an element into wire bytes. */
    interface Framer {
        int length(byte[] element);

        void write(ByteBuf out, byte[] element);
    }

    private static final FastThreadLocal<FrameCache> LOOP_CACHE = new FastThreadLocal<>() {
        @Override
        protected FrameCache initialValue() {
            return new FrameCache();
        }
    };

    private Framer framer;
    private byte[] element;
    private ByteBuf framed;

    /** The framed bytes of {@code element}; the caller owns the returned reference. Event loop only. */
    static ByteBuf frame(Framer framer, byte[] element, ByteBufAllocator alloc) {
        return LOOP_CACHE.get().get(framer, element, alloc);
    }

    private ByteBuf get(Framer framer, byte[] element, ByteBufAllocator alloc) {
        if (element != this.element || framer != this.framer) {
            ByteBuf fresh = alloc.directBuffer(framer.length(element));
            framer.write(fresh, element);
            if (framed != null) {
                framed.release();
            }
            this.framer = framer;
            this.element = element;
            this.framed = fresh;
        }
        return framed.retainedDuplicate();
    }
}
