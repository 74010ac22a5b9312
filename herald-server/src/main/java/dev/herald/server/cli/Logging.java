package dev.herald.server.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;

/** Applies {@code log.level} (Centrifugo's names) to logback's root logger. */
final class Logging {
    private Logging() {
    }

    static void setLevel(String level) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        Level logback = switch (level.toLowerCase(Locale.ROOT)) {
            case "trace" -> Level.TRACE;
            case "debug" -> Level.DEBUG;
            case "warn" -> Level.WARN;
            case "error", "fatal" -> Level.ERROR;
            case "none" -> Level.OFF;
            default -> Level.INFO;
        };
        context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(logback);
    }
}
