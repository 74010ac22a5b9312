package dev.herald.core;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * herald-core's packages form no cycle: each depends only on packages below it, so a package can be understood,
 * tested and replaced without the ones above. The graph is built from the main sources' text: imports (plain,
 * static and on-demand) and fully qualified names in code, comments and string literals left out.
 */
class PackageCyclesTest {
    private static final String ROOT = "dev.herald.core";
    /** A qualified name in dev.herald.core: lower-case package segments, then a type (or an on-demand star). */
    private static final Pattern QUALIFIED =
            Pattern.compile("\\bdev\\.herald\\.core((?:\\.[a-z_][a-z0-9_]*)*)\\.(?:[A-Z]|\\*)");
    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);

    /** package -> package it refers to -> the files that make the reference. */
    private static Map<String, Map<String, Set<String>>> graph() {
        Path sources = sourceRoot();
        Map<String, Map<String, Set<String>>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String text = codeOnly(Files.readString(file));
                Matcher pkg = PACKAGE.matcher(text);
                assertTrue(pkg.find(), "no package declaration in " + file);
                String from = pkg.group(1);
                Map<String, Set<String>> edges = graph.computeIfAbsent(from, k -> new TreeMap<>());
                Matcher ref = QUALIFIED.matcher(text);
                while (ref.find()) {
                    String to = ROOT + ref.group(1);
                    if (!to.equals(from)) {
                        edges.computeIfAbsent(to, k -> new TreeSet<>()).add(sources.relativize(file).toString());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return graph;
    }

    private static Path sourceRoot() {
        for (Path candidate : List.of(Path.of("src/main/java"), Path.of("herald-core/src/main/java"))) {
            if (Files.isDirectory(candidate.resolve("dev/herald/core"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("herald-core's main sources not found from " + Path.of("").toAbsolutePath());
    }

    /** The source with comments and string/char literals blanked, so only code references count. */
    static String codeOnly(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int i = 0;
        int n = source.length();
        while (i < n) {
            char c = source.charAt(i);
            if (source.startsWith("\"\"\"", i)) {
                int end = source.indexOf("\"\"\"", i + 3);
                i = end < 0 ? n : end + 3;
                out.append("\"\"");
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < n && source.charAt(j) != c) {
                    j += source.charAt(j) == '\\' ? 2 : 1;
                }
                i = Math.min(j + 1, n);
                out.append(c).append(c);
            } else if (source.startsWith("//", i)) {
                int end = source.indexOf('\n', i);
                i = end < 0 ? n : end;
            } else if (source.startsWith("/*", i)) {
                int end = source.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
                out.append(' ');
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    @Test
    void noPackageCycles() {
        Map<String, Map<String, Set<String>>> graph = graph();
        List<String> cycles = new ArrayList<>();
        for (List<String> component : stronglyConnected(graph)) {
            if (component.size() > 1) {
                cycles.add(describe(cycleThrough(graph, component), graph));
            }
        }
        assertEquals(List.of(), cycles, "package cycles in herald-core");
    }

    @Test
    void hubKnowsNothingOfTheClientPackage() {
        Map<String, Set<String>> hubEdges = graph().getOrDefault(ROOT + ".hub", Map.of());
        assertFalse(hubEdges.containsKey(ROOT + ".client"),
                () -> "dev.herald.core.hub refers to dev.herald.core.client in " + hubEdges.get(ROOT + ".client"));
    }

    @Test
    void onlyTheApiPackageUsesTheRootPackage() {
        Map<String, Set<String>> users = new TreeMap<>();
        graph().forEach((from, edges) -> {
            if (edges.containsKey(ROOT) && !from.equals(ROOT + ".api")) {
                users.put(from, edges.get(ROOT));
            }
        });
        assertEquals(Map.of(), users, "subpackages of dev.herald.core (other than api) that refer to the root");
    }

    @Test
    void codeOnlyDropsCommentsAndLiterals() {
        String stripped = codeOnly("""
                import dev.herald.core.hub.Hub; // dev.herald.core.client.X
                /* dev.herald.core.api.Y */ String s = "dev.herald.core.cel.Z"; char c = '"';
                dev.herald.core.time.Clock clock;
                """);
        Matcher m = QUALIFIED.matcher(stripped);
        List<String> found = new ArrayList<>();
        while (m.find()) {
            found.add(m.group(1));
        }
        assertEquals(List.of(".hub", ".time"), found);
    }

    /** Tarjan's strongly connected components, iteration order of the sorted graph. */
    private static List<List<String>> stronglyConnected(Map<String, Map<String, Set<String>>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new java.util.HashSet<>();
        List<List<String>> out = new ArrayList<>();
        for (String v : graph.keySet()) {
            if (!index.containsKey(v)) {
                strongConnect(v, graph, index, low, stack, onStack, out);
            }
        }
        return out;
    }

    private static void strongConnect(String v, Map<String, Map<String, Set<String>>> graph,
                                      Map<String, Integer> index, Map<String, Integer> low, Deque<String> stack,
                                      Set<String> onStack, List<List<String>> out) {
        index.put(v, index.size());
        low.put(v, index.get(v));
        stack.push(v);
        onStack.add(v);
        for (String w : graph.getOrDefault(v, Map.of()).keySet()) {
            if (!index.containsKey(w)) {
                strongConnect(w, graph, index, low, stack, onStack, out);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            List<String> component = new ArrayList<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            out.add(component);
        }
    }

    /** One concrete cycle inside a component: a shortest path from its first package back to itself. */
    private static List<String> cycleThrough(Map<String, Map<String, Set<String>>> graph, List<String> component) {
        String start = component.stream().sorted().findFirst().orElseThrow();
        Map<String, String> parent = new HashMap<>();
        Deque<String> queue = new ArrayDeque<>(List.of(start));
        while (!queue.isEmpty()) {
            String v = queue.poll();
            for (String w : graph.getOrDefault(v, Map.of()).keySet()) {
                if (w.equals(start)) {
                    List<String> path = new ArrayList<>(List.of(start));
                    for (String p = v; !p.equals(start); p = parent.get(p)) {
                        path.add(1, p);
                    }
                    path.add(start);
                    return path;
                }
                if (component.contains(w) && !parent.containsKey(w)) {
                    parent.put(w, v);
                    queue.add(w);
                }
            }
        }
        throw new IllegalStateException("no cycle through " + start);
    }

    private static String describe(List<String> cycle, Map<String, Map<String, Set<String>>> graph) {
        StringBuilder out = new StringBuilder(String.join(" -> ", cycle)).append(" (");
        for (int i = 0; i + 1 < cycle.size(); i++) {
            Set<String> files = graph.get(cycle.get(i)).get(cycle.get(i + 1));
            out.append(i == 0 ? "" : "; ").append(cycle.get(i)).append(" -> ").append(cycle.get(i + 1))
                    .append(" in ").append(files);
        }
        return out.append(')').toString();
    }
}
