package dev.herald.core.auth;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The streaming {@link Claims} reads every payload as the tree-based reader it replaced did. */
class ClaimsTest {
    static final Instant NOW = Instant.ofEpochSecond(1_700_000_000L);

    /** Payloads covering every claim, wrong types, duplicates, nulls, whitespace and odd numbers. */
    static final List<String> PAYLOADS = List.of(
            "{}", "[]", "[1,2]", "1", "\"x\"", "null", "", "{", "{\"sub\":}", "{\"sub\":\"1\"} trailing",
            "{\"sub\":\"42\",\"exp\":1700000060,\"iat\":1699999990,\"jti\":\"t-1\"}",
            "{\"sub\":42}", "{\"sub\":null}", "{\"sub\":[\"a\"]}", "{\"sub\":{\"a\":1}}", "{\"sub\":true}",
            "{\"exp\":\"soon\"}", "{\"exp\":1700000000}", "{\"exp\":1699999999.5}", "{\"exp\":1700000000.9}",
            "{\"exp\":1700000001.1}", "{\"exp\":1e400}", "{\"exp\":-1e400}", "{\"exp\":99999999999999999999}",
            "{\"exp\":9223372036854775807}", "{\"exp\":9.3e18}", "{\"exp\":null}", "{\"exp\":[1]}", "{\"exp\":{}}",
            "{\"nbf\":1700000010}", "{\"nbf\":1700000000}", "{\"nbf\":\"x\"}", "{\"nbf\":1699999999.99}",
            "{\"iat\":\"x\"}", "{\"iat\":1.5}", "{\"jti\":5}", "{\"expire_at\":0,\"exp\":1700000060}",
            "{\"expire_at\":1700000500}", "{\"expire_at\":\"x\"}", "{\"exp\":1600000000,\"expire_at\":1800000000}",
            "{\"info\":{\"name\":\"Alexander\",\"n\":1.10,\"big\":123456789012345678901234567890}}",
            "{\"info\" : { \"a\" : [ 1 , 2.50 , \"x y\" , {\"b\":null} ] , \"c\":\"\\\" } \\\\\" } , \"meta\":\"t\"}",
            "{\"info\":\"text\",\"b64info\":\"AAEC/w==\"}", "{\"info\":null,\"b64info\":\"AAEC/w==\"}",
            "{\"info\":123}", "{\"info\":-0.0}", "{\"info\":true}", "{\"info\":false }", "{\"info\":[]}",
            "{\"info\":\"caf\u00e9 \\u00e9\"}", "{\"b64info\":\"***\"}", "{\"b64info\":5}", "{\"b64info\":\"AQ==\"}",
            "{\"meta\":{\"plan\":\"pro\",\"shard\":7}}", "{\"meta\":\n{\"x\":\t1}\n}", "{\"meta\":null}",
            "{\"channels\":[\"news\",\"chat:1\"]}", "{\"channels\":[\"one\"]}", "{\"channels\":[]}",
            "{\"channels\":\"news\"}", "{\"channels\":[1]}", "{\"channels\":[\"a\",null]}", "{\"channels\":[[\"a\"]]}",
            "{\"channels\":null}", "{\"channels\":[\"a\"],\"channels\":[\"b\"]}", "{\"channels\":1,\"channels\":[\"b\"]}",
            "{\"sub\":1,\"sub\":\"2\"}", "{\"sub\":\"2\",\"sub\":1}", "{\"info\":{\"a\":1},\"info\":null}",
            "{\"channels\":[\"ignored\"],\"subs\":{\"news\":{\"info\":{\"a\":1},\"data\":[1,2],"
                    + "\"override\":{\"presence\":{\"value\":true},\"join_leave\":{\"value\":false}}},"
                    + "\"bin\":{\"b64info\":\"AQI=\",\"b64data\":\"AwQ=\"},\"empty\":{},\"nul\":null}}",
            "{\"channels\":5,\"subs\":{\"a\":{}}}", "{\"channels\":5,\"subs\":{}}", "{\"subs\":[]}", "{\"subs\":null}",
            "{\"subs\":{\"a\":1}}", "{\"subs\":{\"a\":{\"override\":5}}}", "{\"subs\":{\"a\":{\"override\":"
                    + "{\"presence\":5}}}}", "{\"subs\":{\"a\":{\"b64info\":\"!\"}}}",
            "{\"channel\":\"news\"}", "{\"channel\":\"\"}", "{\"channel\":5}", "{\"channel\":\"c\",\"client\":\"c-1\"}",
            "{\"channel\":\"c\",\"client\":5}", "{\"client\":5}", "{\"channel\":\"c\",\"data\":{\"x\":true}}",
            "{\"channel\":\"c\",\"b64data\":\"AwQ=\"}", "{\"channel\":\"c\",\"b64data\":\"?\"}",
            "{\"channel\":\"c\",\"override\":{\"force_positioning\":{\"value\":true},\"presence\":true}}",
            "{\"channel\":\"c\",\"override\":[]}", "{\"channel\":\"c\",\"override\":{\"presence\":{\"value\":1}}}",
            "{\"override\":[]}", "{\"aud\":\"herald\"}", "{\"aud\":[\"x\",\"herald\"]}", "{\"aud\":[\"x\",5,[\"herald\"]]}",
            "{\"aud\":5}", "{\"aud\":{}}", "{\"aud\":null}", "{\"aud\":[]}", "{\"iss\":\"https://auth.example\"}",
            "{\"iss\":5}", "{\"iss\":null}", "{\"aud\":\"herald\",\"iss\":\"https://auth.example\"}",
            "{\"exp\":1600000000,\"sub\":5}", "{\"exp\":\"x\",\"nbf\":1800000000}", "{\"nbf\":1800000000,\"aud\":5}",
            "{\"unknown\":{\"deep\":[1,{\"x\":[true,null]}]},\"sub\":\"u\"}", "{\"x\":\"\\ud83d\\ude00\",\"sub\":\"\ud83d\ude00\"}");

    @Test
    void streamingReaderMatchesTheTreeReader() {
        for (String payload : PAYLOADS) {
            for (String[] parties : new String[][] {{"", ""}, {"herald", "https://auth.example"}}) {
                assertEquals(reference(payload, parties[0], parties[1], true),
                        streaming(payload, parties[0], parties[1], true), "connect " + payload);
                assertEquals(reference(payload, parties[0], parties[1], false),
                        streaming(payload, parties[0], parties[1], false), "subscribe " + payload);
            }
        }
    }

    @Test
    void rawClaimsKeepTheirNumbersAndLoseOnlyWhitespace() throws Exception {
        ConnectToken t = Claims.parse(utf8("{\"info\" : { \"a\" : [ 1 , 2.50 , \"x y\" ] } , \"meta\": \"t\" }"))
                .toConnectToken();
        assertEquals("{\"a\":[1,2.50,\"x y\"]}", new String(t.info(), StandardCharsets.UTF_8));
        assertEquals("\"t\"", new String(t.meta(), StandardCharsets.UTF_8));
        byte[] spaced = utf8(" {\"s\" : \"a \\\" b\"} ");
        assertEquals("{\"s\":\"a \\\" b\"}",
                new String(Claims.compact(spaced, 0, spaced.length), StandardCharsets.UTF_8));
    }

    /** What a reader makes of a payload: the token's fields (raw JSON as trees), or the failure's kind. */
    private static Object streaming(String payload, String audience, String issuer, boolean connect) {
        try {
            Claims c = Claims.parse(utf8(payload));
            c.checkTimesAndParties(NOW, audience, issuer);
            return connect ? describe(c.toConnectToken()) : describe(c.toSubscribeToken());
        } catch (TokenException e) {
            return e.kind();
        }
    }

    private static Object reference(String payload, String audience, String issuer, boolean connect) {
        try {
            ReferenceClaims c = ReferenceClaims.parse(utf8(payload));
            c.checkTimesAndParties(NOW, audience, issuer);
            return connect ? describe(c.toConnectToken()) : describe(c.toSubscribeToken());
        } catch (TokenException e) {
            return e.kind();
        }
    }

    private static List<Object> describe(ConnectToken t) {
        List<Object> subs = new ArrayList<>();
        for (Map.Entry<String, SubscribeOptions> e : t.subs().entrySet()) {
            SubscribeOptions o = e.getValue();
            subs.add(List.of(e.getKey(), json(o.info()), json(o.data()), Objects.toString(o.override())));
        }
        return List.of(t.user(), t.expireAt(), t.issuedAt(), t.id(), json(t.info()), json(t.meta()), t.channels(),
                subs);
    }

    private static List<Object> describe(SubscribeToken t) {
        return List.of(t.user(), t.channel(), t.client(), t.expireAt(), t.issuedAt(), t.id(), json(t.info()),
                json(t.data()), Objects.toString(t.override()));
    }

    /** Raw JSON as a tree (same JSON, whatever its spelling), binary (from base64 claims) as a list of bytes. */
    private static Object json(byte[] raw) {
        if (raw == null) {
            return "null";
        }
        try {
            JsonNode node = Claims.MAPPER.readTree(raw);
            if (node != null && !node.isMissingNode()) {
                return node;
            }
        } catch (IOException e) {
            // binary
        }
        List<Byte> bytes = new ArrayList<>();
        for (byte b : raw) {
            bytes.add(b);
        }
        return bytes;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
