package dev.herald.server.cli;

import dev.herald.core.config.HeraldConfig;
import dev.herald.server.HeraldServer;
import dev.herald.server.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** Runs the server: load, validate (one message listing every problem), start, wait for a signal, close. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the server (the default command).")
final class ServeCommand implements Callable<Integer> {
    @ParentCommand
    HeraldCli root;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ServeOptions options;

    @Override
    public Integer call() throws Exception {
        return run(root, options.over(root.serveOptions), spec.commandLine());
    }

    static int run(HeraldCli root, ServeOptions options, CommandLine cli) throws Exception {
        return CliSupport.guarded(cli, () -> {
            List<String> warnings = new ArrayList<>();
            HeraldConfig config;
            try {
                config = CliSupport.load(root, options.config, options.overrides(), true, false, warnings);
            } catch (ConfigException e) {
                CliSupport.printWarnings(cli, warnings);
                throw e;
            }
            Logging.setLevel(config.log.level);
            Logger log = LoggerFactory.getLogger(ServeCommand.class);
            log.info("Herald {} (Java {}) starting, config: {}", VersionCommand.version(),
                    System.getProperty("java.version"), options.config == null ? "config.json or defaults" : options.config);
            for (String warning : warnings) {
                if (warning.startsWith("no config file")) {
                    log.info("{}", warning);
                } else {
                    log.warn("{}", warning);
                }
            }
            if (config.client.insecure) {
                log.warn("!!! client.insecure is ON: connections need no token and every channel is open for "
                        + "subscribe and publish. Development only, NEVER in production !!!");
            }
            HeraldServer server;
            try {
                server = HeraldServer.start(config);
            } catch (RuntimeException e) {
                throw new CliSupport.Failure("cannot start the server: " + e.getMessage());
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                log.info("shutting down");
                server.close();
            }, "herald-shutdown"));
            log.info("Herald listening on port {}", server.port());
            server.awaitTermination();
            return 0;
        });
    }
}
