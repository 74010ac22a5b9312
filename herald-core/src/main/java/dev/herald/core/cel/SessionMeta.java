package dev.herald.core.cel;

import dev.herald.core.session.SessionView;

import java.util.Map;

/**
 * A connection's meta as a CEL value, parsed from its JSON once per connection rather than once per API call: the
 * immutable result is kept in the session's {@link SessionView#parsedMeta()} slot together with the raw array it
 * came from, so a session whose meta is replaced is parsed again. Nothing is stored until an expression reads
 * {@code meta}, so connections that are never filtered carry only the empty slot. Safe from any thread: two calls
 * racing parse twice and store equal values.
 */
final class SessionMeta {
    private SessionMeta() {
    }

    /** The parsed value and the array it was parsed from (compared by identity). */
    private record Parsed(byte[] raw, Map<String, Object> value) {
    }

    static Map<String, Object> of(SessionView session) {
        byte[] raw = session.meta();
        if (raw == null) {
            return Map.of();
        }
        if (session.parsedMeta() instanceof Parsed p && p.raw == raw) {
            return p.value;
        }
        Map<String, Object> value = JsonToCel.metaObject(raw);
        session.parsedMeta(new Parsed(raw, value));
        return value;
    }
}
