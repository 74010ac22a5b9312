package dev.herald.server.http;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * {@code client.allowed_origins}: a request without an Origin header (a non-browser client) always passes; a
 * browser request passes only if its origin matches a listed pattern ({@code *} matches any run of characters).
 * An empty list therefore admits non-browser clients only, as in Centrifugo.
 */
public final class Origins {
    private final List<Pattern> patterns;
    private final boolean any;

    public Origins(List<String> allowed) {
        this.any = allowed.contains("*");
        this.patterns = allowed.stream()
                .map(p -> Pattern.compile(("\\Q" + p.toLowerCase(Locale.ROOT) + "\\E").replace("*", "\\E.*\\Q")))
                .toList();
    }

    public boolean allowed(String origin) {
        if (origin == null || origin.isEmpty() || any) {
            return true;
        }
        String lower = origin.toLowerCase(Locale.ROOT);
        for (Pattern p : patterns) {
            if (p.matcher(lower).matches()) {
                return true;
            }
        }
        return false;
    }
}
