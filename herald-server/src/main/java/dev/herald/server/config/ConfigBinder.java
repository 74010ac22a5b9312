package dev.herald.server.config;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Binds config trees (from JSON, YAML or TOML) and strings (from env vars and flags) onto the config model, and
 * renders the model back to a tree. Binding never stops at the first problem: wrong types and bad durations are
 * added to {@code errors}, unknown keys to {@code unknownKeys}, each with its full path, and binding goes on.
 */
final class ConfigBinder {
    /**
     * Jackson for leaf values of types the binder has no special rule for (maps, future option types): snake_case,
     * field access, Go-style durations, no silent float-to-int truncation.
     */
    static final ObjectMapper VALUES = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .visibility(com.fasterxml.jackson.annotation.PropertyAccessor.FIELD,
                    com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility.ANY)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .addModule(new SimpleModule("go-durations")
                    .addDeserializer(Duration.class, new JsonDeserializer<>() {
                        @Override
                        public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                            return duration(p.readValueAsTree());
                        }
                    })
                    .addSerializer(Duration.class, new JsonSerializer<>() {
                        @Override
                        public void serialize(Duration d, JsonGenerator g, SerializerProvider s) throws IOException {
                            g.writeString(GoDuration.format(d));
                        }
                    }))
            .build();

    private final List<String> errors;
    private final List<String> unknownKeys;

    ConfigBinder(List<String> errors, List<String> unknownKeys) {
        this.errors = errors;
        this.unknownKeys = unknownKeys;
    }

    /** Binds every key of {@code node} onto {@code section}; {@code path} is the section's own path or "". */
    void bindSection(Object section, JsonNode node, String path) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return;
        }
        if (!node.isObject()) {
            errors.add(label(path) + ": expected an object, got " + describe(node));
            return;
        }
        Map<String, Field> fields = ConfigModel.fields(section.getClass());
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String keyPath = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
            Field f = fields.get(e.getKey());
            if (f == null) {
                String refusal = futureSection(keyPath, e.getValue().path("enabled").asBoolean(false));
                if (refusal != null) {
                    errors.add(refusal);
                } else {
                    unknownKeys.add(keyPath);
                }
                continue;
            }
            if (ConfigModel.isSection(f.getType())) {
                Object child = ConfigModel.read(f, section);
                if (child == null) {
                    child = ConfigModel.newSection(f.getType());
                    set(f, section, child);
                }
                bindSection(child, e.getValue(), keyPath);
                continue;
            }
            try {
                set(f, section, value(e.getValue(), f.getGenericType(), keyPath));
            } catch (IllegalArgumentException ex) {
                errors.add(keyPath + ": " + ex.getMessage());
            }
        }
    }

    /**
     * Centrifugo's separate controller section, which Herald does not model (the controller follows the broker: Redis
     * or NATS): turned on ({@code enabled: true}) it is refused by name rather than warned about as unknown. Returns
     * the error, or null for any other key.
     */
    static String futureSection(String path, boolean enabled) {
        if (!enabled || !FUTURE_SECTIONS.contains(path)) {
            return null;
        }
        return path + ".enabled: a separate " + path.replace('_', ' ') + " is not supported (the controller is the "
                + "broker's: Redis with engine.type or broker.type redis, NATS with broker.type nats)";
    }

    static final List<String> FUTURE_SECTIONS = List.of("controller");

    /** A leaf value from a tree node; IllegalArgumentException explains a mismatch. */
    Object value(JsonNode node, Type type, String path) {
        Class<?> raw = rawClass(type);
        if (node == null || node.isNull()) {
            if (raw.isPrimitive()) {
                throw new IllegalArgumentException("must not be null");
            }
            return null;
        }
        if (raw == Duration.class) {
            return duration(node);
        }
        if (List.class.isAssignableFrom(raw) && ConfigModel.isSection(rawClass(typeArgument(type, 0)))) {
            return sectionList(node, rawClass(typeArgument(type, 0)), path);
        }
        if (node.isTextual() && path.endsWith("address") && List.class.isAssignableFrom(raw)) {
            // Redis addresses, as Centrifugo takes them: one string or a list ("address": "redis://...").
            return new ArrayList<>(List.of(node.asText()));
        }
        if ((raw == String.class || raw.isPrimitive() || Number.class.isAssignableFrom(raw) || raw == Boolean.class)
                && (node.isContainerNode())) {
            throw new IllegalArgumentException("expected " + simpleName(raw) + ", got " + describe(node));
        }
        try {
            return VALUES.convertValue(node, VALUES.constructType(type));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected " + simpleName(type) + ", got " + describe(node));
        }
    }

    /** A leaf value from an environment variable or flag. */
    Object fromString(String text, Type type, String path) {
        Class<?> raw = rawClass(type);
        if (raw == boolean.class || raw == Boolean.class) {
            return parseBool(text);
        }
        if (raw == String.class) {
            return text;
        }
        if (raw == Duration.class) {
            return GoDuration.parse(text);
        }
        if (raw.isEnum()) {
            for (Object constant : raw.getEnumConstants()) {
                if (((Enum<?>) constant).name().equalsIgnoreCase(text.strip())) {
                    return constant;
                }
            }
            throw new IllegalArgumentException("expected one of " + Arrays.toString(raw.getEnumConstants())
                    + ", got \"" + text + "\"");
        }
        JsonNode node;
        if (List.class.isAssignableFrom(raw) && rawClass(typeArgument(type, 0)) == String.class
                && !text.strip().startsWith("[")) {
            ArrayNode array = JsonNodeFactory.instance.arrayNode();
            Arrays.stream(text.strip().split("\\s+")).filter(s -> !s.isEmpty()).forEach(array::add);
            node = array;
        } else if (raw.isPrimitive() || Number.class.isAssignableFrom(raw)) {
            node = TextNode.valueOf(text.strip());
        } else {
            try {
                node = VALUES.readTree(text);
            } catch (IOException e) {
                throw new IllegalArgumentException("expected JSON for " + simpleName(type) + ", got \"" + text + "\"");
            }
        }
        return value(node, type, path);
    }

    /** The model as a tree, snake_case keys, Go-style durations, null options left out. */
    static ObjectNode toTree(Object section) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, Field> e : ConfigModel.fields(section.getClass()).entrySet()) {
            Object value = ConfigModel.read(e.getValue(), section);
            if (value == null) {
                continue;
            }
            if (ConfigModel.isSection(value.getClass())) {
                out.set(e.getKey(), toTree(value));
            } else if (value instanceof List<?> list && !list.isEmpty() && ConfigModel.isSection(list.getFirst().getClass())) {
                ArrayNode array = out.putArray(e.getKey());
                list.forEach(item -> array.add(toTree(item)));
            } else {
                out.set(e.getKey(), VALUES.valueToTree(value));
            }
        }
        return out;
    }

    private List<Object> sectionList(JsonNode node, Class<?> itemType, String path) {
        if (!node.isArray()) {
            throw new IllegalArgumentException("expected an array, got " + describe(node));
        }
        List<Object> items = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            Object item = ConfigModel.newSection(itemType);
            bindSection(item, node.get(i), path + "[" + i + "]");
            items.add(item);
        }
        return items;
    }

    static Duration duration(JsonNode node) {
        if (node.isIntegralNumber()) {
            return Duration.ofSeconds(node.longValue());
        }
        if (node.isNumber()) {
            return Duration.ofNanos(node.decimalValue().multiply(BigDecimal.valueOf(1_000_000_000L)).longValue());
        }
        if (node.isTextual()) {
            return GoDuration.parse(node.asText());
        }
        throw new IllegalArgumentException("expected a duration like \"25s\", got " + describe(node));
    }

    /** Go's strconv.ParseBool. */
    static boolean parseBool(String text) {
        return switch (text.strip()) {
            case "1", "t", "T", "true", "TRUE", "True" -> true;
            case "0", "f", "F", "false", "FALSE", "False" -> false;
            default -> throw new IllegalArgumentException("expected a boolean (1/true/0/false), got \"" + text + "\"");
        };
    }

    private static void set(Field f, Object target, Object value) {
        try {
            f.set(target, value);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Class<?> rawClass(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        return Object.class;
    }

    private static Type typeArgument(Type type, int index) {
        return type instanceof ParameterizedType p ? p.getActualTypeArguments()[index] : Object.class;
    }

    private static String simpleName(Type type) {
        Class<?> raw = rawClass(type);
        if (raw == int.class || raw == long.class || raw == Integer.class || raw == Long.class) {
            return "an integer";
        }
        if (raw == boolean.class || raw == Boolean.class) {
            return "a boolean";
        }
        if (raw == String.class) {
            return "a string";
        }
        if (List.class.isAssignableFrom(raw)) {
            return "an array";
        }
        if (Map.class.isAssignableFrom(raw)) {
            return "an object";
        }
        return raw.getSimpleName().toLowerCase(Locale.ROOT);
    }

    static String describe(JsonNode node) {
        String text = node.toString();
        return (text.length() > 60 ? text.substring(0, 57) + "..." : text);
    }

    private static String label(String path) {
        return path.isEmpty() ? "config" : path;
    }
}
