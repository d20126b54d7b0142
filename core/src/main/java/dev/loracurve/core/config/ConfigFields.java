package dev.loracurve.core.config;

import java.lang.reflect.RecordComponent;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The field paths a configuration record's violations can name ({@code steps},
 * {@code optimizer.lr}): its components, a nested configuration's as {@code name.sub}. Front ends
 * walk them to prove that their tables rename every field (a test, not a runtime step).
 */
public final class ConfigFields {
    private ConfigFields() {}

    /** Leaf paths of {@code type}, nested records expanded, in declaration order. */
    public static Set<String> paths(Class<? extends Record> type) {
        Set<String> out = new LinkedHashSet<>();
        walk(type, "", out);
        return out;
    }

    /** The paths of {@code type} and, standalone, of every record nested in it (a part built on its own). */
    public static Set<String> pathsWithParts(Class<? extends Record> type) {
        Set<String> out = new LinkedHashSet<>(paths(type));
        for (RecordComponent c : type.getRecordComponents()) {
            if (c.getType().isRecord()) {
                out.addAll(pathsWithParts(c.getType().asSubclass(Record.class)));
            }
        }
        return out;
    }

    private static void walk(Class<?> type, String prefix, Set<String> out) {
        for (RecordComponent c : type.getRecordComponents()) {
            if (c.getType().isRecord()) {
                walk(c.getType(), prefix + c.getName() + ".", out);
            } else {
                out.add(prefix + c.getName());
            }
        }
    }
}
