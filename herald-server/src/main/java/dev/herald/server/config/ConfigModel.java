package dev.herald.server.config;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.herald.core.config.HeraldConfig;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The shape of {@link HeraldConfig}, read by reflection: sections (the nested config classes) and leaves (every
 * other public field), with their snake_case paths and {@code HERALD_} environment names. Environment names are
 * derived from this walk, never by guessing where to split {@code HERALD_UNI_HTTP_STREAM_ENABLED}. A new field
 * added to the model gets its key, its env var and its place in {@code defaultconfig}/{@code defaultenv} for free.
 */
public final class ConfigModel {
    public static final String ENV_PREFIX = "HERALD_";
    private static final PropertyNamingStrategies.NamingBase SNAKE =
            (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;

    /** One settable option: {@code path} like {@code client.token.hmac_secret_key}, reached through {@code chain}. */
    public record Leaf(String path, String envName, List<Field> chain) {
        public Field field() {
            return chain.getLast();
        }

        public Type type() {
            return field().getGenericType();
        }

        public Object get(Object root) {
            Object section = section(root);
            return section == null ? null : read(field(), section);
        }

        public void set(Object root, Object value) {
            try {
                field().set(section(root), value);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The object holding this leaf's field, creating missing (null) sections on the way. */
        private Object section(Object root) {
            Object node = root;
            for (Field f : chain.subList(0, chain.size() - 1)) {
                Object next = read(f, node);
                if (next == null) {
                    next = newSection(f.getType());
                    try {
                        f.set(node, next);
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                }
                node = next;
            }
            return node;
        }
    }

    private static final List<Leaf> ROOT_LEAVES = Collections.unmodifiableList(leavesOf(HeraldConfig.class, ""));

    private ConfigModel() {
    }

    /** Every leaf of {@link HeraldConfig}, in declaration order. */
    public static List<Leaf> leaves() {
        return ROOT_LEAVES;
    }

    /** Every leaf of a section class, with paths relative to it ({@code prefix} prepended). */
    public static List<Leaf> leavesOf(Class<?> type, String prefix) {
        List<Leaf> out = new ArrayList<>();
        walk(type, prefix, new ArrayList<>(), out);
        Map<String, String> seen = new HashMap<>();
        for (Leaf leaf : out) {
            String clash = seen.putIfAbsent(leaf.envName, leaf.path);
            if (clash != null) {
                throw new IllegalStateException(leaf.path + " and " + clash + " share env name " + leaf.envName);
            }
        }
        return out;
    }

    /** Public instance fields of {@code type} (superclass fields first) by their snake_case key. */
    public static Map<String, Field> fields(Class<?> type) {
        Map<String, Field> fields = new LinkedHashMap<>();
        List<Class<?>> hierarchy = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            hierarchy.addFirst(c);
        }
        for (Class<?> c : hierarchy) {
            for (Field f : c.getDeclaredFields()) {
                int mod = f.getModifiers();
                if (Modifier.isPublic(mod) && !Modifier.isStatic(mod) && !Modifier.isFinal(mod) && !f.isSynthetic()) {
                    fields.put(key(f.getName()), f);
                }
            }
        }
        return fields;
    }

    /** A config section: a class nested in {@link HeraldConfig} (not an enum). */
    public static boolean isSection(Class<?> type) {
        return !type.isEnum() && !type.isPrimitive() && type.getEnclosingClass() == HeraldConfig.class;
    }

    public static Object newSection(Class<?> type) {
        try {
            return type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("config section " + type.getName() + " needs a public no-arg constructor", e);
        }
    }

    public static String key(String javaName) {
        return SNAKE.translate(javaName);
    }

    public static String envName(String path) {
        return ENV_PREFIX + path.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    static Object read(Field f, Object target) {
        try {
            return f.get(target);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void walk(Class<?> type, String prefix, List<Field> chain, List<Leaf> out) {
        for (Map.Entry<String, Field> e : fields(type).entrySet()) {
            Field f = e.getValue();
            String path = prefix + e.getKey();
            List<Field> next = new ArrayList<>(chain);
            next.add(f);
            if (isSection(f.getType())) {
                walk(f.getType(), path + ".", next, out);
            } else {
                out.add(new Leaf(path, envName(path), List.copyOf(next)));
            }
        }
    }
}
