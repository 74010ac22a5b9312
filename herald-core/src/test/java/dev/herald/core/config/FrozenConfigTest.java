package dev.herald.core.config;

import dev.herald.core.testing.TestNode;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The config a node reads cannot change: every field of the {@link FrozenConfig} tree is final, its collections
 * refuse changes, and writes to the {@link HeraldConfig} it was frozen from do not reach it. And freezing loses
 * nothing: the two trees have the same options, and every value is copied.
 */
class FrozenConfigTest {

    @Test
    void everyFieldOfTheFrozenTreeIsFinalAndNoSectionCanBeSubclassed() {
        List<Class<?>> classes = new ArrayList<>(List.of(FrozenConfig.class));
        classes.addAll(List.of(FrozenConfig.class.getDeclaredClasses()));
        for (Class<?> type : classes) {
            for (Field f : type.getDeclaredFields()) {
                assertTrue(Modifier.isFinal(f.getModifiers()), type.getSimpleName() + "." + f.getName());
            }
            assertTrue(Modifier.isFinal(type.getModifiers()) || type.isSealed(), type.getSimpleName());
        }
        assertEquals(List.of(FrozenConfig.Namespace.class),
                List.of(FrozenConfig.ChannelOptions.class.getPermittedSubclasses()));
    }

    @Test
    void frozenTreeHasExactlyTheOptionsOfHeraldConfig() {
        assertEquals(names(HeraldConfig.class), names(FrozenConfig.class));
        for (Class<?> section : HeraldConfig.class.getDeclaredClasses()) {
            Class<?> frozen = frozenSection(section);
            assertEquals(names(section), names(frozen), section.getSimpleName());
        }
    }

    @Test
    void freezeCopiesEveryDefault() {
        HeraldConfig config = new HeraldConfig();
        assertSameValues(config, config.freeze(), "");
    }

    @Test
    void freezeCopiesEveryValueSet() {
        HeraldConfig config = new HeraldConfig();
        HeraldConfig.Namespace ns = new HeraldConfig.Namespace();
        config.channel.namespaces.add(ns);
        config.client.allowedOrigins.add("https://example.com");
        // Each option gets a value of its own, so a field copied from the wrong source shows up as a mismatch.
        int[] counter = {0};
        change(config, counter);
        change(ns, counter);
        assertSameValues(config, config.freeze(), "");
    }

    @Test
    void collectionsRefuseChanges() {
        HeraldConfig config = new HeraldConfig();
        config.channel.namespaces.add(new HeraldConfig.Namespace());
        config.client.allowedOrigins.add("https://example.com");
        config.client.proxy.connect.httpHeaders.add("Authorization");
        config.client.proxy.connect.staticHeaders.put("X-Static", "1");
        FrozenConfig frozen = config.freeze();
        assertThrows(UnsupportedOperationException.class, () -> frozen.channel.namespaces.clear());
        assertThrows(UnsupportedOperationException.class, () -> frozen.client.allowedOrigins.add("*"));
        assertThrows(UnsupportedOperationException.class, () -> frozen.client.proxy.connect.httpHeaders.remove(0));
        assertThrows(UnsupportedOperationException.class,
                () -> frozen.client.proxy.connect.staticHeaders.put("X-Other", "2"));
    }

    @Test
    void laterWritesToTheSourceDoNotReachTheSnapshot() {
        HeraldConfig config = new HeraldConfig();
        HeraldConfig.Namespace ns = new HeraldConfig.Namespace();
        ns.name = "chat";
        config.channel.namespaces.add(ns);
        config.client.proxy.connect.staticHeaders.put("X-Static", "1");
        FrozenConfig frozen = config.freeze();

        config.httpServer.port = 9000;
        config.client.userConnectionLimit = 2;
        ns.presence = true;
        config.channel.namespaces.add(new HeraldConfig.Namespace());
        config.client.allowedOrigins.add("*");
        config.client.proxy.connect.staticHeaders.put("X-Other", "2");
        config.client = new HeraldConfig.Client();

        assertEquals(8000, frozen.httpServer.port);
        assertEquals(0, frozen.client.userConnectionLimit);
        assertEquals(1, frozen.channel.namespaces.size());
        assertFalse(frozen.channel.namespaces.getFirst().presence);
        assertEquals(List.of(), frozen.client.allowedOrigins);
        assertEquals(Map.of("X-Static", "1"), frozen.client.proxy.connect.staticHeaders);
    }

    @Test
    void aNodeReadsAFrozenCopyOfTheConfigItWasBuiltWith() {
        HeraldConfig config = new HeraldConfig();
        config.client.userConnectionLimit = 2;
        HeraldConfig.Namespace ns = new HeraldConfig.Namespace();
        ns.name = "chat";
        config.channel.namespaces.add(ns);
        try (TestNode testNode = new TestNode(config)) {
            FrozenConfig nodeConfig = testNode.node.config();
            config.client.userConnectionLimit = 5;
            config.channel.namespaces.clear();
            assertEquals(2, nodeConfig.client.userConnectionLimit);
            assertEquals("chat", nodeConfig.channel.namespaces.getFirst().name);
            assertThrows(UnsupportedOperationException.class, () -> nodeConfig.channel.namespaces.clear());
            assertThrows(UnsupportedOperationException.class, () -> nodeConfig.client.allowedOrigins.add("*"));
        }
    }

    @Test
    void staticHeadersKeepTheirOrder() {
        HeraldConfig config = new HeraldConfig();
        Map<String, String> headers = new LinkedHashMap<>();
        for (String name : List.of("X-C", "X-A", "X-B")) {
            headers.put(name, name.toLowerCase());
        }
        config.client.proxy.connect.staticHeaders = headers;
        assertEquals(List.of("X-C", "X-A", "X-B"),
                List.copyOf(config.freeze().client.proxy.connect.staticHeaders.keySet()));
    }

    /** Names of the public instance fields of {@code type}, inherited ones included. */
    private static TreeSet<String> names(Class<?> type) {
        TreeSet<String> names = new TreeSet<>();
        for (Field f : type.getFields()) {
            if (!Modifier.isStatic(f.getModifiers())) {
                names.add(f.getName());
            }
        }
        return names;
    }

    private static Class<?> frozenSection(Class<?> section) {
        for (Class<?> frozen : FrozenConfig.class.getDeclaredClasses()) {
            if (frozen.getSimpleName().equals(section.getSimpleName())) {
                return frozen;
            }
        }
        throw new AssertionError("no FrozenConfig." + section.getSimpleName());
    }

    private static boolean isSection(Class<?> type) {
        return type.getEnclosingClass() == HeraldConfig.class;
    }

    /** Walks both trees together: the same leaves hold equal values, and no section or list is shared. */
    private static void assertSameValues(Object mutable, Object frozen, String path) {
        Class<?> type = mutable instanceof HeraldConfig ? FrozenConfig.class : frozenSection(mutable.getClass());
        assertEquals(type, frozen.getClass(), path);
        for (Field f : mutable.getClass().getFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            String at = path + f.getName();
            Object expected = read(f, mutable);
            Object actual = read(field(frozen.getClass(), f.getName()), frozen);
            if (isSection(f.getType())) {
                assertSameValues(expected, actual, at + ".");
            } else if (expected instanceof List<?> list && isSectionList(f)) {
                List<?> frozenList = (List<?>) actual;
                assertEquals(list.size(), frozenList.size(), at);
                for (int i = 0; i < list.size(); i++) {
                    assertSameValues(list.get(i), frozenList.get(i), at + "[" + i + "].");
                }
            } else {
                assertEquals(expected, actual, at);
                if (expected instanceof List<?> || expected instanceof Map<?, ?>) {
                    assertNotSame(expected, actual, at + " is shared with the source");
                }
            }
        }
    }

    /** Gives every leaf of {@code section} (and of its sections) a non-default value unique to it. */
    private static void change(Object section, int[] counter) {
        for (Field f : section.getClass().getFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            Class<?> type = f.getType();
            Object value = read(f, section);
            int n = ++counter[0];
            if (isSection(type)) {
                change(value, counter);
            } else if (type == boolean.class) {
                write(f, section, n % 2 == 1);
            } else if (type == int.class) {
                write(f, section, (int) value + n);
            } else if (type == String.class) {
                write(f, section, value + "-" + n);
            } else if (type == Duration.class) {
                write(f, section, (value == null ? Duration.ZERO : (Duration) value).plusSeconds(n));
            } else if (type == List.class && !isSectionList(f)) {
                write(f, section, new ArrayList<>(List.of("item-" + n)));
            } else if (type == Map.class) {
                write(f, section, new LinkedHashMap<>(Map.of("key-" + n, "value-" + n)));
            } else if (!isSectionList(f)) {
                fail("no test value for " + f);
            }
        }
    }

    private static boolean isSectionList(Field f) {
        return f.getGenericType() instanceof ParameterizedType p
                && p.getActualTypeArguments()[0] instanceof Class<?> item && isSection(item);
    }

    private static Field field(Class<?> type, String name) {
        try {
            return type.getField(name);
        } catch (NoSuchFieldException e) {
            throw new AssertionError(type.getSimpleName() + " has no field " + name, e);
        }
    }

    private static Object read(Field f, Object target) {
        try {
            return f.get(target);
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }

    private static void write(Field f, Object target, Object value) {
        try {
            f.set(target, value);
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }
}
