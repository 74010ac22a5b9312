package dev.herald.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.core.auth.HmacTokens;
import dev.herald.core.auth.JwtTokenVerifier;
import dev.herald.core.auth.TokenException;
import dev.herald.core.config.FrozenConfig;
import dev.herald.server.config.GoDuration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code gentoken}, {@code gensubtoken}, {@code checktoken}, {@code checksubtoken}. Output lines follow the seed
 * ({@code HMAC SHA-256 JWT for user 42 with expiration TTL 168h0m0s:}); for subscription tokens, where no seed
 * speaks, Centrifugo v6's quoted form ({@code for user "42" and channel "news"}).
 */
final class TokenCommands {
    static final long DEFAULT_TTL = 604_800;
    private static final ObjectMapper JSON = new ObjectMapper();

    private TokenCommands() {
    }

    /** Options shared by the two generators. */
    abstract static class Generator implements Callable<Integer> {
        @ParentCommand
        HeraldCli root;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Config file (default config.json).")
        Path config;

        @Option(names = {"-u", "--user"}, paramLabel = "USER", description = "User ID (empty: anonymous).")
        String user = "";

        @Option(names = {"-t", "--ttl"}, paramLabel = "SECONDS", description = "Token lifetime in seconds, "
                + "default 604800 (168h); -1: no expiration.")
        long ttl = DEFAULT_TTL;

        @Option(names = {"-q", "--quiet"}, description = "Print only the token.")
        boolean quiet;

        /**
         * Claims {@code sub}, the extra ones, then {@code exp}: exactly the seed's token payload
         * ({@code {"sub":"42","exp":...}}), so a session made with it reports no token {@code iat}, as in the seeds'
         * walkthrough.
         */
        String token(String secret, String channel) throws Exception {
            long now = root.clock.instant().getEpochSecond();
            ObjectNode claims = JSON.createObjectNode();
            if (!user.isEmpty()) {
                claims.put("sub", user);
            }
            if (channel != null) {
                claims.put("channel", channel);
            }
            if (ttl >= 0) {
                claims.put("exp", now + ttl);
            }
            return HmacTokens.sign("HS256", secret, JSON.writeValueAsBytes(claims));
        }

        String expiration() {
            return ttl >= 0 ? "with expiration TTL " + GoDuration.format(Duration.ofSeconds(ttl)) : "without expiration";
        }

        void print(String header, String token) {
            PrintWriter out = spec.commandLine().getOut();
            if (!quiet) {
                out.println(header);
            }
            out.println(token);
            out.flush();
        }
    }

    @Command(name = "gentoken", mixinStandardHelpOptions = true,
            description = "Generate an HS256 connection JWT signed with client.token.hmac_secret_key.")
    static final class GenToken extends Generator {
        @Override
        public Integer call() throws Exception {
            return CliSupport.guarded(spec.commandLine(), () -> {
                FrozenConfig cfg = CliSupport.loadForTool(root, config, spec.commandLine());
                String secret = cfg.client.token.hmacSecretKey;
                if (secret.isEmpty()) {
                    throw new CliSupport.Failure("no HMAC secret in config: set client.token.hmac_secret_key "
                            + "(herald genconfig writes one)");
                }
                String who = user.isEmpty() ? "anonymous user" : "user " + user;
                print("HMAC SHA-256 JWT for " + who + " " + expiration() + ":", token(secret, null));
                return 0;
            });
        }
    }

    @Command(name = "gensubtoken", mixinStandardHelpOptions = true,
            description = "Generate an HS256 subscription JWT for a channel.")
    static final class GenSubToken extends Generator {
        @Option(names = {"-s", "--channel"}, required = true, paramLabel = "CHANNEL", description = "Channel.")
        String channel;

        @Override
        public Integer call() throws Exception {
            return CliSupport.guarded(spec.commandLine(), () -> {
                FrozenConfig cfg = CliSupport.loadForTool(root, config, spec.commandLine());
                FrozenConfig.Token keys = cfg.client.subscriptionToken.enabled ? cfg.client.subscriptionToken
                        : cfg.client.token;
                if (keys.hmacSecretKey.isEmpty()) {
                    throw new CliSupport.Failure("no HMAC secret in config: set client.token.hmac_secret_key "
                            + "(or client.subscription_token.hmac_secret_key when it is enabled)");
                }
                String who = user.isEmpty() ? "anonymous user" : "user \"" + user + "\"";
                print("HMAC SHA-256 JWT for " + who + " and channel \"" + channel + "\" " + expiration() + ":",
                        token(keys.hmacSecretKey, channel));
                return 0;
            });
        }
    }

    /** Options shared by the two checkers. */
    abstract static class Checker implements Callable<Integer> {
        @ParentCommand
        HeraldCli root;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Config file (default config.json).")
        Path config;

        @Parameters(index = "0", paramLabel = "TOKEN", description = "The JWT to check.")
        String token;

        <T> T verify(CompletionStage<T> stage) throws Exception {
            try {
                return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TokenException te) {
                    throw new CliSupport.Failure(te.kind() == TokenException.Kind.EXPIRED
                            ? te.getMessage() : "invalid token: " + te.getMessage());
                }
                throw new CliSupport.Failure(String.valueOf(e.getCause().getMessage()));
            } catch (TimeoutException e) {
                throw new CliSupport.Failure("timed out verifying the token");
            }
        }

        JwtTokenVerifier verifier(FrozenConfig.Token keys, FrozenConfig cfg) throws CliSupport.Failure {
            if (!JwtTokenVerifier.hasKeys(keys)) {
                throw new CliSupport.Failure("no token key in config: set client.token.hmac_secret_key, "
                        + "rsa_public_key, ecdsa_public_key or jwks_public_endpoint");
            }
            try {
                return new JwtTokenVerifier(cfg.client, root.clock, null);
            } catch (IllegalArgumentException e) {
                throw new CliSupport.Failure("bad token key in config: " + e.getMessage());
            }
        }

        void print(String verdict) throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            out.println(verdict);
            out.println("payload: " + payload(token));
            out.flush();
        }

        private static String payload(String token) throws Exception {
            String[] parts = token.split("\\.");
            JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            return JSON.writeValueAsString(claims);
        }
    }

    @Command(name = "checktoken", mixinStandardHelpOptions = true,
            description = "Verify a connection JWT with the config's keys and print its claims.")
    static final class CheckToken extends Checker {
        @Override
        public Integer call() throws Exception {
            return CliSupport.guarded(spec.commandLine(), () -> {
                FrozenConfig cfg = CliSupport.loadForTool(root, config, spec.commandLine());
                String user = verify(verifier(cfg.client.token, cfg).verifyConnectToken(token)).user();
                print("valid token for " + (user.isEmpty() ? "anonymous user" : "user " + user));
                return 0;
            });
        }
    }

    @Command(name = "checksubtoken", mixinStandardHelpOptions = true,
            description = "Verify a subscription JWT with the config's keys and print its claims.")
    static final class CheckSubToken extends Checker {
        @Override
        public Integer call() throws Exception {
            return CliSupport.guarded(spec.commandLine(), () -> {
                FrozenConfig cfg = CliSupport.loadForTool(root, config, spec.commandLine());
                FrozenConfig.Token keys = cfg.client.subscriptionToken.enabled ? cfg.client.subscriptionToken
                        : cfg.client.token;
                var claims = verify(verifier(keys, cfg).verifySubscribeToken(token));
                String who = claims.user().isEmpty() ? "anonymous user" : "user \"" + claims.user() + "\"";
                print("valid subscription token for " + who + " and channel \"" + claims.channel() + "\"");
                return 0;
            });
        }
    }
}
