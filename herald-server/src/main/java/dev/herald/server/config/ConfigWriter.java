package dev.herald.server.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.core.config.HeraldConfig;

/** Renders a config with snake_case keys and Go-style durations, as {@code defaultconfig} prints it. */
public final class ConfigWriter {
    private ConfigWriter() {
    }

    public static ObjectNode toTree(HeraldConfig config) {
        return ConfigBinder.toTree(config);
    }

    public static String write(HeraldConfig config, ConfigFormat format) {
        return format.write(toTree(config));
    }
}
