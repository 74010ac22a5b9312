package dev.herald.core.auth;

import java.util.List;
import java.util.Map;

/**
 * The verified claims of a connection JWT. Times are Unix seconds, 0 when absent. {@code info} and {@code meta}
 * hold raw JSON bytes ({@code info} may come from {@code b64info}, then it is the decoded binary), or null.
 * {@code subs} wins over {@code channels} when both are present (the verifier then returns an empty channel list).
 */
public record ConnectToken(String user, long expireAt, long issuedAt, String id, byte[] info, byte[] meta,
                           List<String> channels, Map<String, SubscribeOptions> subs) {
}
