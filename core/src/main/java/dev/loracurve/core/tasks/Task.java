package dev.loracurve.core.tasks;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A benchmark: reads its public files (layout recognised from content) into {@link Item}s. */
public interface Task {
    String name();

    /** Items of one file; a malformed row is a {@link DataFormatException} naming file, line, field. */
    List<Item> load(Path file);

    /** Every task by name. */
    static Map<String, Task> registry() {
        Map<String, Task> m = new TreeMap<>();
        for (Task t : List.of(
                MultipleChoiceTasks.arc("arc-easy"),
                MultipleChoiceTasks.arc("arc-challenge"),
                MultipleChoiceTasks.openbookqa(),
                MultipleChoiceTasks.commonsenseqa(),
                MultipleChoiceTasks.winogrande(),
                ClassificationTasks.boolq(),
                ClassificationTasks.sst2(),
                ClassificationTasks.rte(),
                ClassificationTasks.trec(),
                ClassificationTasks.agnews(),
                MultipleChoiceTasks.cloze("world"))) { // the demo's generated world, written in the ARC layout
            m.put(t.name(), t);
        }
        return m;
    }

    static Task byName(String name) {
        Task t = registry().get(name);
        if (t == null) {
            throw new IllegalArgumentException("unknown task '" + name + "'; known: "
                    + String.join(", ", registry().keySet()));
        }
        return t;
    }

    /** Items of a split: {@code data} is a file, or a folder whose file for {@code split} is found by name. */
    default List<Item> load(Path data, String split) {
        return load(DataFiles.resolve(data, split));
    }
}
