package dev.herald.engines.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A Lua script read from the classpath, run with EVALSHA and sent whole (EVAL) only when the server answers NOSCRIPT:
 * the first call after a Redis (re)start, which empties the script cache. Every script returns an array.
 */
final class LuaScript {
    private final String name;
    private final byte[] source;
    private final String sha;

    private LuaScript(String name, byte[] source) {
        this.name = name;
        this.source = source;
        try {
            this.sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JVM", e);
        }
    }

    /** Loads {@code <name>.lua} next to this class. */
    static LuaScript load(String name) {
        try (InputStream in = LuaScript.class.getResourceAsStream(name + ".lua")) {
            if (in == null) {
                throw new IllegalStateException("script " + name + ".lua is missing from the classpath");
            }
            return new LuaScript(name, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String name() {
        return name;
    }

    /** Runs the script; the future fails with Lettuce's exception when Redis is unreachable or the script fails. */
    CompletableFuture<List<Object>> run(RedisAsyncCommands<byte[], byte[]> commands, byte[][] keys, byte[]... args) {
        return commands.<List<Object>>evalsha(sha, ScriptOutputType.MULTI, keys, args).toCompletableFuture()
                .exceptionallyCompose(e -> unwrap(e) instanceof RedisNoScriptException
                        ? commands.<List<Object>>eval(source, ScriptOutputType.MULTI, keys, args).toCompletableFuture()
                        : CompletableFuture.failedFuture(unwrap(e)));
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }
}
