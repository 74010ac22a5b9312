package dev.herald.server.cli;

import dev.herald.core.config.ConfigValidator;
import dev.herald.core.config.FrozenConfig;
import dev.herald.core.config.HeraldConfig;
import dev.herald.server.config.ConfigException;
import dev.herald.server.config.ConfigFormat;
import dev.herald.server.config.ConfigLoader;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What the commands share: loading a config and reporting its problems, writing files that must not exist yet. */
final class CliSupport {
    private CliSupport() {
    }

    /** Thrown by commands to stop with {@code error: message} on stderr and exit code 1. */
    static final class Failure extends Exception {
        Failure(String message) {
            super(message);
        }
    }

    /**
     * Loads {@code file} (or config.json when null: then a missing file means defaults) with the environment and
     * {@code overrides}. Load errors, plus validation errors when {@code validate}, fail with one message listing
     * all of them. Warnings go to {@code warnings} when it is not null.
     */
    static HeraldConfig load(HeraldCli root, Path file, Map<String, String> overrides, boolean validate,
                             boolean strict, List<String> warnings) throws ConfigException {
        ConfigLoader.Result result = new ConfigLoader(root.env).load(file, file != null, overrides);
        List<String> problems = new ArrayList<>(result.errors());
        if (strict) {
            problems.addAll(result.warnings());
        } else if (warnings != null) {
            warnings.addAll(result.warnings());
        }
        ConfigValidator.Report report = validate ? ConfigValidator.check(result.config()) : null;
        if (report != null) {
            // A value that failed to bind kept its default; checks involving it would only add confusion.
            List<String> failedPaths = result.errors().stream().filter(e -> e.indexOf(':') > 0)
                    .map(e -> e.substring(0, e.indexOf(':'))).toList();
            report.errors().stream()
                    .filter(e -> failedPaths.stream().noneMatch(p -> mentions(e, p)))
                    .forEach(problems::add);
            if (warnings != null) {
                warnings.addAll(report.warnings());
            }
        }
        if (warnings != null) {
            warnings.addAll(0, result.notes());
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return result.config();
    }

    private static boolean mentions(String message, String path) {
        int at = message.indexOf(path);
        int end = at + path.length();
        return at >= 0 && (end == message.length() || !Character.isLetterOrDigit(message.charAt(end))
                && message.charAt(end) != '_');
    }

    /** Prints load warnings (not informational notes) as {@code warning: ...} lines on stderr. */
    static void printWarnings(CommandLine cli, List<String> warnings) {
        PrintWriter err = cli.getErr();
        warnings.stream().filter(w -> !w.startsWith("no config file")).forEach(w -> err.println("warning: " + w));
        err.flush();
    }

    /**
     * Loads a config for a tool command (gentoken, checktoken...), frozen since tools only read it: load errors fail,
     * validation is not needed.
     */
    static FrozenConfig loadForTool(HeraldCli root, Path file, CommandLine cli) throws ConfigException {
        List<String> warnings = new ArrayList<>();
        try {
            return load(root, file, Map.of(), false, false, warnings).freeze();
        } finally {
            printWarnings(cli, warnings);
        }
    }

    /** Writes {@code text} to a new file (owner-only permissions where supported); never overwrites. */
    static void writeNew(Path file, String text) throws Failure, IOException {
        if (Files.exists(file)) {
            throw new Failure("file " + file + " already exists, not overwriting it");
        }
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        } catch (FileAlreadyExistsException e) {
            throw new Failure("file " + file + " already exists, not overwriting it");
        }
        Files.writeString(file, text, StandardOpenOption.TRUNCATE_EXISTING);
    }

    static ConfigFormat format(Path file) throws Failure {
        ConfigFormat format = ConfigFormat.of(file);
        if (format == null) {
            throw new Failure("unknown config format for " + file + " (use .json, .yaml, .yml or .toml)");
        }
        return format;
    }

    /** Runs {@code body}, turning a {@link Failure} or {@link ConfigException} into a message and exit code 1. */
    static int guarded(CommandLine cli, Body body) throws Exception {
        try {
            return body.run();
        } catch (Failure | ConfigException e) {
            PrintWriter err = cli.getErr();
            err.println(e instanceof Failure ? "error: " + e.getMessage() : e.getMessage());
            err.flush();
            return 1;
        }
    }

    @FunctionalInterface
    interface Body {
        int run() throws Exception;
    }
}
