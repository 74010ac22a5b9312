package dev.herald.server;

import dev.herald.core.config.HeraldConfig;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code http_stream.max_request_body_size} above the other endpoints' limits is honoured, not cut at 64 KiB. */
class RequestBodyLimitTest {

    @Test
    void httpStreamTakesAConnectBodyUpToItsOwnLimit() throws Exception {
        HeraldConfig config = new HeraldConfig();
        config.httpServer.port = 0;
        config.client.insecure = true;
        config.httpStream.enabled = true;
        config.httpStream.maxRequestBodySize = 200_000;
        try (HeraldServer server = HeraldServer.start(config)) {
            String body = "{\"id\":1,\"connect\":{\"data\":\"" + "x".repeat(100_000) + "\"}}";
            HttpRequest post = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                            + "/connection/http_stream"))
                    .timeout(Duration.ofSeconds(5))
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();
            HttpResponse<InputStream> response = HttpClient.newHttpClient()
                    .send(post, HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, response.statusCode());
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String first = lines.readLine();
                assertTrue(first != null && first.startsWith("{\"id\":1,\"connect\":{\"client\":"), first);
            }
        }
    }
}
