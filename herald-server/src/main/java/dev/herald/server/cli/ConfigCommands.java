package dev.herald.server.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.core.config.HeraldConfig;
import dev.herald.server.config.ConfigFormat;
import dev.herald.server.config.ConfigLoader;
import dev.herald.server.config.ConfigWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/** {@code genconfig}, {@code checkconfig}, {@code defaultconfig}, {@code defaultenv}. */
final class ConfigCommands {
    private ConfigCommands() {
    }

    @Command(name = "genconfig", mixinStandardHelpOptions = true,
            description = "Write a minimal config with a random HMAC secret, API key and admin credentials.")
    static final class GenConfig implements Callable<Integer> {
        private static final SecureRandom RANDOM = new SecureRandom();

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = ConfigLoader.DEFAULT_FILE,
                description = "File to write (default config.json; .json, .yaml, .yml or .toml). Never overwritten.")
        Path config;

        @Override
        public Integer call() throws Exception {
            return CliSupport.guarded(spec.commandLine(), () -> {
                ConfigFormat format = CliSupport.format(config);
                CliSupport.writeNew(config, format.write(tree()));
                return 0;
            });
        }

        /** Centrifugo v6's genconfig shape; values are base64url of 64, 16, 64 and 64 random bytes. */
        static ObjectNode tree() {
            ObjectNode root = JsonNodeFactory.instance.objectNode();
            ObjectNode client = root.putObject("client");
            client.putObject("token").put("hmac_secret_key", random(64));
            client.putArray("allowed_origins");
            ObjectNode admin = root.putObject("admin");
            admin.put("enabled", false);
            admin.put("password", random(16));
            admin.put("secret", random(64));
            root.putObject("http_api").put("key", random(64));
            return root;
        }

        private static String random(int bytes) {
            byte[] b = new byte[bytes];
            RANDOM.nextBytes(b);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        }
    }

    @Command(name = "checkconfig", mixinStandardHelpOptions = true,
            description = "Validate a config file; exit 1 listing every problem.")
    static final class CheckConfig implements Callable<Integer> {
        @ParentCommand
        HeraldCli root;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = ConfigLoader.DEFAULT_FILE,
                description = "Config file (default config.json).")
        Path config;

        @Option(names = {"-s", "--strict"}, description = "Unknown keys and env vars are errors, not warnings.")
        boolean strict;

        @Override
        public Integer call() throws Exception {
            return CliSupport.guarded(spec.commandLine(), () -> {
                List<String> warnings = new ArrayList<>();
                try {
                    CliSupport.load(root, config, Map.of(), true, strict, warnings);
                } finally {
                    CliSupport.printWarnings(spec.commandLine(), warnings);
                }
                spec.commandLine().getOut().println("config " + config + " is valid");
                spec.commandLine().getOut().flush();
                return 0;
            });
        }
    }

    @Command(name = "defaultconfig", mixinStandardHelpOptions = true,
            description = "Print (or write with -c) the full config with every default.")
    static final class DefaultConfig implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = {"-c", "--config"}, paramLabel = "FILE",
                description = "File to write (.json, .yaml, .yml or .toml); stdout (JSON) when absent. Never overwritten.")
        Path config;

        @Override
        public Integer call() throws Exception {
            return CliSupport.guarded(spec.commandLine(), () -> {
                if (config == null) {
                    PrintWriter out = spec.commandLine().getOut();
                    out.print(ConfigWriter.write(new HeraldConfig(), ConfigFormat.JSON));
                    out.flush();
                } else {
                    CliSupport.writeNew(config, ConfigWriter.write(new HeraldConfig(), CliSupport.format(config)));
                }
                return 0;
            });
        }
    }

    @Command(name = "defaultenv", mixinStandardHelpOptions = true,
            description = "Print every HERALD_ environment variable with its default value.")
    static final class DefaultEnv implements Callable<Integer> {
        private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9_./:@%+,=-]+");

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            ConfigLoader.defaultEnv().forEach((name, value) -> out.println(name + "=" + quote(value)));
            out.flush();
            return 0;
        }

        /** Shell-quoted so the output can be sourced: {@code ''} for empty, single quotes when needed. */
        static String quote(String value) {
            if (SHELL_SAFE.matcher(value).matches()) {
                return value;
            }
            return "'" + value.replace("'", "'\\''") + "'";
        }
    }
}
