package dev.herald.server.config;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;

/**
 * Durations the way Centrifugo configs write them: Go's {@code time.ParseDuration} syntax ("25s", "1m30s",
 * "168h0m0s", "500ms", "1.5h", "-2m") plus a bare integer meaning seconds, and Go's {@code Duration.String()} for
 * output ("168h0m0s", "1m30s", "30s", "500ms", "0s").
 */
public final class GoDuration {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private GoDuration() {
    }

    public static Duration parse(String text) {
        String s = text.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("invalid duration \"\"");
        }
        if (s.chars().allMatch(Character::isDigit)) {
            try {
                return Duration.ofSeconds(Long.parseLong(s));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid duration \"" + text + "\": out of range");
            }
        }
        int i = 0;
        boolean negative = false;
        if (s.charAt(0) == '-' || s.charAt(0) == '+') {
            negative = s.charAt(0) == '-';
            i++;
        }
        if (s.substring(i).equals("0")) {
            return Duration.ZERO;
        }
        BigInteger nanos = BigInteger.ZERO;
        if (i == s.length()) {
            throw invalid(text);
        }
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            String number = s.substring(start, i);
            int unitStart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            String unit = s.substring(unitStart, i);
            if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
                throw invalid(text);
            }
            long unitNanos = switch (unit) {
                case "ns" -> 1L;
                case "us", "\u00b5s", "\u03bcs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> NANOS_PER_SECOND;
                case "m" -> 60 * NANOS_PER_SECOND;
                case "h" -> 3600 * NANOS_PER_SECOND;
                default -> throw new IllegalArgumentException(unit.isEmpty()
                        ? "invalid duration \"" + text + "\": missing unit"
                        : "invalid duration \"" + text + "\": unknown unit \"" + unit + "\"");
            };
            nanos = nanos.add(new BigDecimal(number).multiply(BigDecimal.valueOf(unitNanos)).toBigInteger());
        }
        if (nanos.bitLength() > 63) {
            throw new IllegalArgumentException("invalid duration \"" + text + "\": out of range");
        }
        long total = nanos.longValue();
        return Duration.ofNanos(negative ? -total : total);
    }

    /** Go's {@code time.Duration.String()}. Durations beyond Go's int64 nanoseconds are printed the same way. */
    public static String format(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        StringBuilder sb = new StringBuilder();
        if (d.isNegative()) {
            sb.append('-');
            d = d.negated();
        }
        long seconds = d.getSeconds();
        int nanos = d.getNano();
        if (seconds == 0) {
            if (nanos < 1_000) {
                return sb.append(nanos).append("ns").toString();
            }
            if (nanos < 1_000_000) {
                return sb.append(fraction(nanos, 1_000)).append("\u00b5s").toString();
            }
            return sb.append(fraction(nanos, 1_000_000)).append("ms").toString();
        }
        long hours = seconds / 3600;
        long minutes = seconds / 60 % 60;
        String secs = fraction(seconds % 60 * NANOS_PER_SECOND + nanos, NANOS_PER_SECOND) + "s";
        if (hours > 0) {
            return sb.append(hours).append('h').append(minutes).append('m').append(secs).toString();
        }
        if (minutes > 0) {
            return sb.append(minutes).append('m').append(secs).toString();
        }
        return sb.append(secs).toString();
    }

    /** {@code value / unit} with the fraction's trailing zeros removed: 1500000/1000000 -> "1.5". */
    private static String fraction(long value, long unit) {
        long whole = value / unit;
        long rest = value % unit;
        if (rest == 0) {
            return Long.toString(whole);
        }
        String digits = Long.toString(unit + rest).substring(1).replaceAll("0+$", "");
        return whole + "." + digits;
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("invalid duration \"" + text + "\"");
    }
}
