package dev.herald.core.auth;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * The HS256/384/512 fast path's view of a compact JWS ({@code header.payload.signature}): the token's ASCII bytes,
 * the part boundaries, the decoded payload and signature, and the HMAC algorithm of the header.
 *
 * <p>It only takes tokens in the plain form every HMAC signer produces: exactly three parts, each strict unpadded
 * base64url, and a header that is a JSON object holding nothing but the string members {@code alg} (HS256, HS384
 * or HS512), {@code typ}, {@code kid} and {@code cty}, each once. {@link #parse} returns null for anything else,
 * and the verifier then takes the general (Nimbus) path, so tokens outside this form keep exactly the rules they
 * had: a fast path that can only answer "I am not sure" cannot accept a token the general path refuses.
 */
final class CompactJws {
    /** Longer headers are not the plain form; Nimbus limits headers to 20,000 characters anyway. */
    private static final int MAX_HEADER_CHARS = 1024;
    private static final JsonFactory FACTORY = new JsonFactory();
    /** base64url alphabet value of each ASCII code, -1 for the rest (padding included). */
    private static final byte[] B64URL = new byte[128];
    /** Base64url of the usual headers, with their algorithm: no JSON parsing for these. */
    private static final byte[][] KNOWN_HEADERS;
    private static final HmacVerifier.Hs[] KNOWN_ALGS;

    static {
        Arrays.fill(B64URL, (byte) -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (int i = 0; i < alphabet.length(); i++) {
            B64URL[alphabet.charAt(i)] = (byte) i;
        }
        HmacVerifier.Hs[] algs = HmacVerifier.Hs.values();
        String[] forms = {"{\"alg\":\"%s\",\"typ\":\"JWT\"}", "{\"typ\":\"JWT\",\"alg\":\"%s\"}", "{\"alg\":\"%s\"}"};
        KNOWN_HEADERS = new byte[algs.length * forms.length][];
        KNOWN_ALGS = new HmacVerifier.Hs[KNOWN_HEADERS.length];
        Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();
        int k = 0;
        for (String form : forms) {
            for (HmacVerifier.Hs hs : algs) {
                KNOWN_HEADERS[k] = encoder.encode(form.formatted(hs.name()).getBytes(StandardCharsets.UTF_8));
                KNOWN_ALGS[k++] = hs;
            }
        }
    }

    /** The token's characters as bytes (all ASCII when parsed). */
    final byte[] ascii;
    /** Length of the signing input {@code header.payload} in {@link #ascii}. */
    final int signingInputLength;
    final HmacVerifier.Hs alg;
    final byte[] payload;
    final byte[] signature;

    private CompactJws(byte[] ascii, int signingInputLength, HmacVerifier.Hs alg, byte[] payload, byte[] signature) {
        this.ascii = ascii;
        this.signingInputLength = signingInputLength;
        this.alg = alg;
        this.payload = payload;
        this.signature = signature;
    }

    /** The token's parts when it has the plain HMAC form, else null (not necessarily invalid). */
    static CompactJws parse(String token) {
        int dot1 = token.indexOf('.');
        if (dot1 <= 0 || dot1 > MAX_HEADER_CHARS) {
            return null;
        }
        int dot2 = token.indexOf('.', dot1 + 1);
        if (dot2 < 0 || dot2 == dot1 + 1 || dot2 == token.length() - 1 || token.indexOf('.', dot2 + 1) >= 0) {
            return null;
        }
        byte[] ascii = token.getBytes(StandardCharsets.ISO_8859_1);
        HmacVerifier.Hs alg = knownHeader(ascii, dot1);
        if (alg == null) {
            byte[] header = decode(ascii, 0, dot1);
            alg = header == null ? null : headerAlgorithm(header);
            if (alg == null) {
                return null;
            }
        }
        byte[] payload = decode(ascii, dot1 + 1, dot2);
        byte[] signature = decode(ascii, dot2 + 1, ascii.length);
        if (payload == null || signature == null) {
            return null;
        }
        return new CompactJws(ascii, dot2, alg, payload, signature);
    }

    private static HmacVerifier.Hs knownHeader(byte[] ascii, int end) {
        for (int i = 0; i < KNOWN_HEADERS.length; i++) {
            byte[] known = KNOWN_HEADERS[i];
            if (known.length == end && Arrays.equals(ascii, 0, end, known, 0, end)) {
                return KNOWN_ALGS[i];
            }
        }
        return null;
    }

    /** The HMAC algorithm of a header in the plain form, else null. */
    static HmacVerifier.Hs headerAlgorithm(byte[] header) {
        String alg = null;
        boolean typ = false;
        boolean kid = false;
        boolean cty = false;
        try (JsonParser p = FACTORY.createParser(header)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                if (p.nextToken() != JsonToken.VALUE_STRING) {
                    return null;
                }
                boolean repeated;
                switch (name) {
                    case "alg" -> {
                        repeated = alg != null;
                        alg = p.getText();
                    }
                    case "typ" -> {
                        repeated = typ;
                        typ = true;
                    }
                    case "kid" -> {
                        repeated = kid;
                        kid = true;
                    }
                    case "cty" -> {
                        repeated = cty;
                        cty = true;
                    }
                    default -> {
                        return null;
                    }
                }
                if (repeated) {
                    return null;
                }
            }
            if (p.nextToken() != null) {
                return null;
            }
        } catch (IOException e) {
            return null;
        }
        if (alg == null) {
            return null;
        }
        return switch (alg) {
            case "HS256" -> HmacVerifier.Hs.HS256;
            case "HS384" -> HmacVerifier.Hs.HS384;
            case "HS512" -> HmacVerifier.Hs.HS512;
            default -> null;
        };
    }

    /** Strict unpadded base64url of {@code ascii[from, to)}, or null when it is not that. */
    static byte[] decode(byte[] ascii, int from, int to) {
        int n = to - from;
        if (n % 4 == 1) {
            return null;
        }
        byte[] out = new byte[n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1)];
        int o = 0;
        int i = from;
        for (int end = from + n / 4 * 4; i < end; i += 4) {
            int bits = sextet(ascii[i]) << 18 | sextet(ascii[i + 1]) << 12 | sextet(ascii[i + 2]) << 6
                    | sextet(ascii[i + 3]);
            if (bits < 0) {
                return null;
            }
            out[o++] = (byte) (bits >> 16);
            out[o++] = (byte) (bits >> 8);
            out[o++] = (byte) bits;
        }
        if (i < to) {
            int bits = sextet(ascii[i]) << 18 | sextet(ascii[i + 1]) << 12;
            if (to - i == 3) {
                bits |= sextet(ascii[i + 2]) << 6;
            }
            if (bits < 0) {
                return null;
            }
            out[o++] = (byte) (bits >> 16);
            if (to - i == 3) {
                out[o] = (byte) (bits >> 8);
            }
        }
        return out;
    }

    /** The 6-bit value of a base64url character, else -1 (which, shifted and OR-ed, makes the group negative). */
    private static int sextet(byte c) {
        return c < 0 ? -1 : B64URL[c];
    }
}
