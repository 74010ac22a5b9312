package dev.herald.bench.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Names the default report folder {@code herald-bench/reports/<UTC date>-<short commit>}. bin/bench measures the
 * server jar built from the checkout, so the checkout's commit names what was measured; {@code -dirty} marks a
 * checkout whose server sources differ from that commit (the name is then only approximate), and {@code nogit} a
 * directory that is no git checkout. Reports kept as evidence go to {@code herald-bench/results/} under the same
 * kind of name.
 */
public final class ReportDirs {
    /** Where bin/bench writes reports unless {@code --out} says otherwise (not committed). */
    public static final Path ROOT = Path.of("herald-bench/reports");

    /** The sources of the server jar, as top-level pathspecs so the check works from any working directory. */
    private static final List<String> SERVER_SOURCES = List.of(":/herald-protocol", ":/herald-core",
            ":/herald-server", ":/herald");

    private ReportDirs() {
    }

    /** {@code herald-bench/reports/<date>-<commit>}. */
    public static Path name(LocalDate date, String commit) {
        return ROOT.resolve(date + "-" + commit);
    }

    /** The folder for reports measured now on this checkout. */
    public static Path forCheckout() {
        return name(LocalDate.now(ZoneOffset.UTC), commit());
    }

    /** The checkout's short commit, {@code -dirty} when the server's sources have uncommitted changes. */
    static String commit() {
        String head = git(List.of("rev-parse", "--short=7", "HEAD"));
        if (head == null || head.isEmpty()) {
            return "nogit";
        }
        List<String> status = new ArrayList<>(List.of("status", "--porcelain", "--untracked-files=no", "--"));
        status.addAll(SERVER_SOURCES);
        String changes = git(status);
        return changes == null || changes.isEmpty() ? head : head + "-dirty";
    }

    /** git's trimmed output, or null when git is missing, fails or takes longer than 10 s. */
    private static String git(List<String> args) {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(args);
        try {
            Process git = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            // git's output here is a line or a short list: reading it to the end cannot fill a pipe and block.
            String output = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!git.waitFor(10, TimeUnit.SECONDS)) {
                git.destroyForcibly();
                return null;
            }
            return git.exitValue() == 0 ? output : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
