package dev.herald.core.auth;

/**
 * Options of one server-side subscription from a token's {@code subs} claim or a proxy result.
 * {@code info}/{@code data} are raw JSON bytes or null; {@code override} may be null.
 */
public record SubscribeOptions(byte[] info, byte[] data, Override override) {

    /** Per-subscription overrides of namespace options; a null field means "not overridden". */
    public record Override(Boolean presence, Boolean joinLeave, Boolean forceRecovery, Boolean forcePositioning,
                           Boolean forcePushJoinLeave) {
    }
}
