package dev.herald.core.client;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Client ids: random version-4 UUID strings like Centrifugo's, drawn from {@link ThreadLocalRandom} instead of
 * {@code SecureRandom}. {@link UUID#randomUUID()} takes a lock and reads the OS entropy source on every connect; a
 * client id does not need that, because it is not a credential: every subscriber of a channel sees the other
 * clients' ids (presence, join/leave, the info of client publications), and nothing accepts an id as proof of
 * being that connection (a subscription token's {@code client} claim binds the token to the connection the server
 * gave that id; server API calls by client id need the API key). What must stay unguessable is the emulation
 * session id (it lets a request drive a connection), and that one still comes from {@code SecureRandom}.
 * 122 random bits keep ids unique for the life of any cluster.
 */
final class ClientIds {
    private ClientIds() {
    }

    static String next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long msb = (random.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }
}
