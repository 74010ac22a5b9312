package dev.herald.server.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.core.config.HeraldConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds a {@link HeraldConfig} from, in rising priority: defaults, a JSON/YAML/TOML file, {@code HERALD_*}
 * environment variables, command-line flags. Every problem is collected rather than thrown, so the caller can
 * report them all at once (see {@link Result#orThrow(boolean)}). What it builds is the mutable form, for binding;
 * a node and the server run on its {@link HeraldConfig#freeze() frozen} copy.
 *
 * <p>Environment: {@code HERALD_} + the key path in upper case joined by {@code _}
 * ({@code HERALD_HTTP_API_KEY}, {@code HERALD_UNI_HTTP_STREAM_ENABLED=1}); booleans as Go's ParseBool, lists
 * space-separated (or a JSON array), maps and {@code HERALD_CHANNEL_NAMESPACES} as JSON, and one namespace's option
 * as {@code HERALD_CHANNEL_NAMESPACES_<NAME>_<OPTION>}. An empty variable counts as unset. Unknown {@code HERALD_}
 * variables are warned about, except the launcher's own.
 */
public final class ConfigLoader {
    public static final String DEFAULT_FILE = "config.json";
    /** Read by the {@code ./herald} launcher script, not by the config. */
    private static final Set<String> LAUNCHER_ENV = Set.of("HERALD_JAVA_OPTS", "HERALD_JAVA_HOME", "HERALD_JAR");
    private static final String NAMESPACES_PATH = "channel.namespaces";

    private final Map<String, String> env;

    /**
     * What loading produced. {@code source} is null when no file was read. {@code unknownKeys} are file keys and
     * env vars that match nothing (warnings, or errors in strict mode); {@code notes} are informational.
     */
    public record Result(HeraldConfig config, Path source, List<String> errors, List<String> unknownKeys,
                         List<String> notes) {
        public List<String> warnings() {
            return unknownKeys.stream().map(k -> k.startsWith(ConfigModel.ENV_PREFIX)
                    ? "unknown environment variable " + k : "unknown config key " + k).toList();
        }

        /** The config, or a {@link ConfigException} listing every load error (and unknown keys when strict). */
        public HeraldConfig orThrow(boolean strict) throws ConfigException {
            List<String> problems = new ArrayList<>(errors);
            if (strict) {
                problems.addAll(warnings());
            }
            if (!problems.isEmpty()) {
                throw new ConfigException(problems);
            }
            return config;
        }
    }

    public ConfigLoader(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /**
     * @param file      the config file, or null for {@link #DEFAULT_FILE}
     * @param explicit  whether the user named the file: then a missing file is an error, otherwise defaults are used
     * @param overrides flag values by key path ({@code http_server.port} -> "9000"), highest priority
     */
    public Result load(Path file, boolean explicit, Map<String, String> overrides) {
        Path path = file == null ? Path.of(DEFAULT_FILE) : file;
        HeraldConfig config = new HeraldConfig();
        List<String> errors = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        ConfigBinder binder = new ConfigBinder(errors, unknown);

        Path source = null;
        JsonNode tree = readFile(path, explicit, errors, notes);
        if (tree != null) {
            source = path;
            binder.bindSection(config, tree, "");
        }
        applyEnv(config, binder, errors, unknown);
        for (Map.Entry<String, String> o : overrides.entrySet()) {
            ConfigModel.Leaf leaf = leaf(o.getKey());
            if (leaf == null) {
                errors.add("unknown option --" + o.getKey());
                continue;
            }
            try {
                leaf.set(config, binder.fromString(o.getValue(), leaf.type(), leaf.path()));
            } catch (IllegalArgumentException e) {
                errors.add("--" + o.getKey() + ": " + e.getMessage());
            }
        }
        return new Result(config, source, List.copyOf(errors), List.copyOf(unknown), List.copyOf(notes));
    }

    /** Every environment variable the config understands, with its default value as text, in model order. */
    public static Map<String, String> defaultEnv() {
        HeraldConfig defaults = new HeraldConfig();
        Map<String, String> out = new LinkedHashMap<>();
        for (ConfigModel.Leaf leaf : ConfigModel.leaves()) {
            out.put(leaf.envName(), envText(leaf.get(defaults)));
        }
        return out;
    }

    private JsonNode readFile(Path path, boolean explicit, List<String> errors, List<String> notes) {
        ConfigFormat format = ConfigFormat.of(path);
        String text;
        try {
            text = Files.readString(path);
        } catch (NoSuchFileException e) {
            if (explicit) {
                errors.add("config file " + path + " not found");
            } else {
                notes.add("no config file " + path + ", using defaults");
            }
            return null;
        } catch (IOException e) {
            errors.add("cannot read config file " + path + ": " + e.getMessage());
            return null;
        }
        if (format == null) {
            errors.add("config file " + path + ": unknown format (use .json, .yaml, .yml or .toml)");
            return null;
        }
        try {
            JsonNode tree = text.isBlank() ? null : format.mapper().readTree(text);
            return tree == null || tree.isMissingNode() ? format.mapper().createObjectNode() : tree;
        } catch (JsonProcessingException e) {
            errors.add("config file " + path + " is not valid " + format + ": " + e.getOriginalMessage()
                    + location(e));
            return null;
        }
    }

    private void applyEnv(HeraldConfig config, ConfigBinder binder, List<String> errors, List<String> unknown) {
        Set<String> consumed = new HashSet<>();
        for (ConfigModel.Leaf leaf : ConfigModel.leaves()) {
            String value = env.get(leaf.envName());
            if (value == null || value.isEmpty()) {
                continue;
            }
            consumed.add(leaf.envName());
            try {
                leaf.set(config, binder.fromString(value, leaf.type(), leaf.path()));
            } catch (IllegalArgumentException e) {
                errors.add(leaf.envName() + ": " + e.getMessage());
            }
        }
        applyNamespaceEnv(config, binder, errors, consumed);
        for (String name : new TreeMap<>(env).keySet()) {
            if (name.startsWith(ConfigModel.ENV_PREFIX) && !consumed.contains(name) && !LAUNCHER_ENV.contains(name)
                    && !env.get(name).isEmpty()) {
                String refusal = futureSectionEnv(name, env.get(name));
                if (refusal != null) {
                    errors.add(refusal);
                } else {
                    unknown.add(name);
                }
            }
        }
    }

    /** {@code HERALD_BROKER_ENABLED=true} and the like: see {@link ConfigBinder#futureSection}. */
    private static String futureSectionEnv(String name, String value) {
        for (String section : ConfigBinder.FUTURE_SECTIONS) {
            if (name.equals(ConfigModel.envName(section + ".enabled"))) {
                boolean enabled;
                try {
                    enabled = ConfigBinder.parseBool(value);
                } catch (IllegalArgumentException e) {
                    return name + ": " + e.getMessage();
                }
                String refusal = ConfigBinder.futureSection(section, enabled);
                return refusal == null ? null : name + ": " + refusal;
            }
        }
        return null;
    }

    /** {@code HERALD_CHANNEL_NAMESPACES_<NAME>_<OPTION>} for each namespace already defined. */
    private void applyNamespaceEnv(HeraldConfig config, ConfigBinder binder, List<String> errors,
                                   Set<String> consumed) {
        List<ConfigModel.Leaf> options = ConfigModel.leavesOf(HeraldConfig.Namespace.class, "");
        for (int i = 0; i < config.channel.namespaces.size(); i++) {
            HeraldConfig.Namespace ns = config.channel.namespaces.get(i);
            if (ns == null || ns.name == null || ns.name.isEmpty()) {
                continue;
            }
            String prefix = ConfigModel.envName(NAMESPACES_PATH) + "_"
                    + ns.name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_") + "_";
            for (ConfigModel.Leaf option : options) {
                if (option.path().equals("name")) {
                    continue;
                }
                String name = prefix + option.envName().substring(ConfigModel.ENV_PREFIX.length());
                String value = env.get(name);
                if (value == null || value.isEmpty()) {
                    continue;
                }
                consumed.add(name);
                try {
                    option.set(ns, binder.fromString(value, option.type(),
                            NAMESPACES_PATH + "[" + i + "]." + option.path()));
                } catch (IllegalArgumentException e) {
                    errors.add(name + ": " + e.getMessage());
                }
            }
        }
    }

    private static ConfigModel.Leaf leaf(String path) {
        for (ConfigModel.Leaf leaf : ConfigModel.leaves()) {
            if (leaf.path().equals(path)) {
                return leaf;
            }
        }
        return null;
    }

    private static String envText(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof java.time.Duration d) {
            return GoDuration.format(d);
        }
        if (value instanceof List<?> list && list.stream().allMatch(String.class::isInstance)) {
            return String.join(" ", list.stream().map(String.class::cast).toList());
        }
        if (value instanceof String || value instanceof Number || value instanceof Boolean || value instanceof Enum<?>) {
            return value.toString();
        }
        return ConfigBinder.VALUES.valueToTree(value).toString();
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }
}
