package dev.herald.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The {@code herald} command line, mirroring {@code centrifugo}'s: with no subcommand (or {@code serve}) it runs the
 * server; {@code genconfig}, {@code gentoken}, {@code gensubtoken}, {@code checktoken}, {@code checksubtoken},
 * {@code checkconfig}, {@code defaultconfig}, {@code defaultenv} and {@code version} are the tools. Commands write to
 * picocli's out/err writers, never to {@code System.out}, so tests capture them; the environment and the clock are
 * passed in for the same reason.
 */
@Command(name = "herald", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Herald: a Centrifugo-compatible real-time messaging server.",
        subcommands = {ServeCommand.class, ConfigCommands.GenConfig.class, TokenCommands.GenToken.class,
                TokenCommands.GenSubToken.class, TokenCommands.CheckToken.class, TokenCommands.CheckSubToken.class,
                ConfigCommands.CheckConfig.class, ConfigCommands.DefaultConfig.class, ConfigCommands.DefaultEnv.class,
                VersionCommand.class})
public final class HeraldCli implements Callable<Integer> {
    final Map<String, String> env;
    final Clock clock;

    @Spec
    CommandSpec spec;

    @Mixin
    ServeOptions serveOptions;

    public HeraldCli(Map<String, String> env, Clock clock) {
        this.env = Map.copyOf(env);
        this.clock = clock;
    }

    public static void main(String[] args) {
        System.exit(commandLine(System.getenv(), Clock.systemUTC()).execute(args));
    }

    /** A configured command line; tests set its out/err writers. */
    public static CommandLine commandLine(Map<String, String> env, Clock clock) {
        CommandLine cli = new CommandLine(new HeraldCli(env, clock));
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            err.println("error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            err.flush();
            return 1;
        });
        return cli;
    }

    @Override
    public Integer call() throws Exception {
        return ServeCommand.run(this, serveOptions, spec.commandLine());
    }
}
