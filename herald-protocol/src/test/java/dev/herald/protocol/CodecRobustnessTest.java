package dev.herald.protocol;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static dev.herald.protocol.Proto.builder;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random bytes, truncations and mutations of valid frames through both decoders: every input either decodes or
 * fails with {@link ProtocolException}; nothing else escapes and nothing hangs. The time bound only catches
 * infinite loops; it is far above the real cost.
 */
class CodecRobustnessTest {
    private static final int ITERATIONS = 20_000;
    private static final Duration BOUND = Duration.ofSeconds(60);

    private static final List<byte[]> JSON_SEEDS = List.of(
            utf8("{\"id\":1,\"connect\":{\"token\":\"abc\",\"data\":{\"x\":[1,2.5,\"s\"]},\"subs\":{\"a\":{\"recover\":true,"
                    + "\"offset\":3,\"epoch\":\"e\"}},\"headers\":{\"h\":\"v\"},\"name\":\"js\"}}"),
            utf8("{\"id\":2,\"subscribe\":{\"channel\":\"chat\",\"recover\":true,\"offset\":18446744073709551615}}\n"
                    + "{\"id\":3,\"publish\":{\"channel\":\"chat\",\"data\":\"\\u00e9\\ud83d\\ude00\"}}\n{}"),
            utf8("{\"id\":4,\"history\":{\"channel\":\"c\",\"limit\":-1,\"since\":{\"offset\":1,\"epoch\":\"x\"}}}"),
            utf8("{\"id\":5,\"rpc\":{\"method\":\"m\",\"data\":null},\"send\":{\"data\":[[[]]]}}"));

    private static final byte[] JSON_ALPHABET = utf8("{}[]\":,0123456789-+.eEtruefalsn \n\r\t\\uabc\u00e9");

    private static final List<byte[]> PROTO_SEEDS = List.of(
            Proto.concat(
                    builder().varint(1, 1).message(4, builder().string(1, "jwt").bytes(2, "d")
                            .message(3, builder().string(1, "a").message(2, builder().varint(3, 1).varint(7, 9)))
                            .message(6, builder().string(1, "h").string(2, "v"))).delimited(),
                    new byte[] {0},
                    builder().varint(1, 2).message(10, builder().string(1, "c").varint(7, 5)
                            .message(8, builder().varint(1, 3).string(2, "e"))).delimited()),
            builder().varint(1, 3).message(5, builder().string(1, "ch").varint(3, 1).string(6, "ep")
                    .bytes(8, "x").string(12, "fossil")).delimited(),
            builder().varint(1, 4).message(13, builder().bytes(1, "d").string(2, "m")).fixed64(40, 7).delimited());

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void jsonDecoderOnlyThrowsProtocolException() {
        assertTimeoutPreemptively(BOUND, () -> fuzz(ClientCodec.of(Protocol.JSON), JSON_SEEDS, JSON_ALPHABET, 1));
    }

    @Test
    void protobufDecoderOnlyThrowsProtocolException() {
        assertTimeoutPreemptively(BOUND, () -> fuzz(ClientCodec.of(Protocol.PROTOBUF), PROTO_SEEDS, null, 2));
    }

    private static void fuzz(ClientCodec codec, List<byte[]> seeds, byte[] alphabet, long seed) {
        for (byte[] valid : seeds) {
            assertDecodes(codec, valid);
        }
        Random random = new Random(seed);
        int decoded = 0;
        int rejected = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] input = mutate(random, seeds.get(random.nextInt(seeds.size())), alphabet);
            if (tryDecode(codec, input, i)) {
                decoded++;
            } else {
                rejected++;
            }
        }
        assertTrue(decoded > 0 && rejected > 0, "decoded " + decoded + ", rejected " + rejected);
    }

    private static byte[] mutate(Random random, byte[] valid, byte[] alphabet) {
        return switch (random.nextInt(5)) {
            case 0 -> {
                byte[] noise = new byte[random.nextInt(64)];
                random.nextBytes(noise);
                yield noise;
            }
            case 1 -> Arrays.copyOf(valid, random.nextInt(valid.length + 1));
            case 2 -> {
                byte[] copy = valid.clone();
                int flips = 1 + random.nextInt(4);
                for (int f = 0; f < flips; f++) {
                    int at = random.nextInt(copy.length);
                    copy[at] = alphabet == null || random.nextBoolean()
                            ? (byte) random.nextInt(256) : alphabet[random.nextInt(alphabet.length)];
                }
                yield copy;
            }
            case 3 -> {
                int at = random.nextInt(valid.length + 1);
                byte[] insert = new byte[1 + random.nextInt(8)];
                for (int k = 0; k < insert.length; k++) {
                    insert[k] = alphabet == null ? (byte) random.nextInt(256) : alphabet[random.nextInt(alphabet.length)];
                }
                yield Proto.concat(Arrays.copyOf(valid, at), insert, Arrays.copyOfRange(valid, at, valid.length));
            }
            default -> {
                int from = random.nextInt(valid.length);
                yield Arrays.copyOfRange(valid, from, from + random.nextInt(valid.length - from + 1));
            }
        };
    }

    private static void assertDecodes(ClientCodec codec, byte[] input) {
        try {
            assertNotNull(codec.decodeCommands(input));
        } catch (ProtocolException e) {
            fail("valid seed rejected: " + e.getMessage(), e);
        }
    }

    /** True if decoded, false if rejected with ProtocolException; anything else fails the test. */
    private static boolean tryDecode(ClientCodec codec, byte[] input, int iteration) {
        boolean decoded = true;
        try {
            codec.decodeCommands(input);
        } catch (ProtocolException e) {
            decoded = false;
        } catch (Throwable t) {
            fail("iteration " + iteration + ": decodeCommands threw " + t + " for " + Arrays.toString(input), t);
        }
        try {
            codec.decodeConnectRequest(input);
        } catch (ProtocolException e) {
            // expected for most inputs
        } catch (Throwable t) {
            fail("iteration " + iteration + ": decodeConnectRequest threw " + t + " for " + Arrays.toString(input), t);
        }
        return decoded;
    }
}
