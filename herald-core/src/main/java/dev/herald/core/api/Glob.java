package dev.herald.core.api;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Channel name patterns of the {@code channels} API, with the syntax of gobwas/glob compiled without separators (as
 * Centrifugo does): {@code *} any run of characters, {@code ?} one character, {@code [abc]} / {@code [a-z]} a
 * class, {@code [!abc]} its negation, <code>{a,b}</code> alternatives (which may hold patterns), and {@code \} to
 * take the next character literally. Translated once into an anchored regex.
 */
final class Glob {
    private final Pattern regex;

    private Glob(Pattern regex) {
        this.regex = regex;
    }

    /**
     * @throws IllegalArgumentException for an unclosed class or brace, or a trailing backslash
     */
    static Glob compile(String pattern) {
        StringBuilder out = new StringBuilder(pattern.length() + 8);
        int depth = 0;
        int i = 0;
        while (i < pattern.length()) {
            char c = pattern.charAt(i);
            switch (c) {
                case '\\' -> {
                    if (i + 1 >= pattern.length()) {
                        throw new IllegalArgumentException("pattern ends with an escape");
                    }
                    int cp = pattern.codePointAt(++i);
                    literal(out, cp);
                    i += Character.charCount(cp) - 1;
                }
                case '*' -> out.append(".*");
                case '?' -> out.append('.');
                case '[' -> i = charClass(pattern, i, out);
                case '{' -> {
                    depth++;
                    out.append("(?:");
                }
                case '}' -> {
                    if (depth == 0) {
                        literal(out, c);
                    } else {
                        depth--;
                        out.append(')');
                    }
                }
                case ',' -> {
                    if (depth > 0) {
                        out.append('|');
                    } else {
                        literal(out, c);
                    }
                }
                default -> {
                    int cp = pattern.codePointAt(i);
                    literal(out, cp);
                    i += Character.charCount(cp) - 1;
                }
            }
            i++;
        }
        if (depth != 0) {
            throw new IllegalArgumentException("unclosed '{' in pattern");
        }
        try {
            return new Glob(Pattern.compile(out.toString(), Pattern.DOTALL));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(e.getDescription());
        }
    }

    boolean matches(String s) {
        return regex.matcher(s).matches();
    }

    /** Copies a {@code [...]} class starting at {@code start}; returns the index of its closing bracket. */
    private static int charClass(String pattern, int start, StringBuilder out) {
        int i = start + 1;
        out.append('[');
        if (i < pattern.length() && pattern.charAt(i) == '!') {
            out.append('^');
            i++;
        }
        boolean empty = true;
        while (i < pattern.length()) {
            char c = pattern.charAt(i);
            if (c == ']' && !empty) {
                out.append(']');
                return i;
            }
            if (c == '-' && !empty && i + 1 < pattern.length() && pattern.charAt(i + 1) != ']') {
                out.append('-');
            } else {
                if (c == '\\' && i + 1 < pattern.length()) {
                    i++;
                }
                int cp = pattern.codePointAt(i);
                out.append(String.format("\\x{%x}", cp));
                i += Character.charCount(cp) - 1;
            }
            empty = false;
            i++;
        }
        throw new IllegalArgumentException("unclosed '[' in pattern");
    }

    private static void literal(StringBuilder out, int codePoint) {
        if (codePoint < 128 && (Character.isLetterOrDigit(codePoint) || codePoint == '_')) {
            out.append((char) codePoint);
        } else {
            out.append(String.format("\\x{%x}", codePoint));
        }
    }
}
