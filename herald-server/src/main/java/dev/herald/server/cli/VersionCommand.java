package dev.herald.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code herald version}: {@code Herald v0.1.0 (Java 25.0.3)}, the version from the jar manifest. */
@Command(name = "version", description = "Print the Herald version.")
final class VersionCommand implements Callable<Integer> {
    static final String FALLBACK_VERSION = "0.1.0-SNAPSHOT";

    @Spec
    CommandLine.Model.CommandSpec spec;

    static String version() {
        String fromManifest = HeraldCli.class.getPackage().getImplementationVersion();
        return fromManifest == null || fromManifest.isBlank() ? FALLBACK_VERSION : fromManifest;
    }

    static String line() {
        return "Herald v" + version() + " (Java " + System.getProperty("java.version") + ")";
    }

    @Override
    public Integer call() {
        spec.commandLine().getOut().println(line());
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** For {@code herald --version}. */
    static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {line()};
        }
    }
}
