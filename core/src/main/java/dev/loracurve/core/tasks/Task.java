package dev.loracurve.core.tasks;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** A benchmark: reads its public files (layout recognised from content) into {@link Item}s. */
public interface Task {
    String name();

    /** Items of one file; a malformed row is a {@link DataFormatException} naming file, line, field. */
    List<Item> load(Path file);

    /** How a task puts one text into its prompt and fixed choices. */
    @FunctionalInterface
    interface Template {
        /**
         * @param label   the class, or {@link Item#NO_LABEL} for another benchmark's text
         * @param partner for the tasks that read two texts (BoolQ, RTE), an item of theirs whose
         *                second text (question, hypothesis) goes with {@code text} as the passage:
         *                an unrelated passage, as a retriever gone wrong gives; null for the others
         */
        Item wrap(String id, String text, int label, Item partner);
    }

    /**
     * This task's template, for the in-template OOD protocol (other texts in this task's prompt
     * and choices); empty when each item brings its own choices.
     */
    default Optional<Template> template() {
        return Optional.empty();
    }

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
