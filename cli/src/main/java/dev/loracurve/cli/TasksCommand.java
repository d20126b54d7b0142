package dev.loracurve.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loracurve.core.tasks.Item;
import dev.loracurve.core.tasks.Task;
import dev.loracurve.core.tasks.TaskData;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Benchmarks as the model sees them. */
@Command(
        name = "tasks",
        mixinStandardHelpOptions = true,
        description = "List tasks, or show a task's items.",
        subcommands = {TasksCommand.Show.class, TasksCommand.ListTasks.class})
final class TasksCommand implements Runnable {
    @Override
    public void run() {
        new ListTasks().run();
    }

    @Command(name = "list", description = "The task names.")
    static final class ListTasks implements Runnable {
        @Override
        public void run() {
            Task.registry().keySet().forEach(System.out::println);
        }
    }

    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description =
                    "Print the items of a split: prompt (the exact text given to the model), choices, cues, label.")
    static final class Show implements Runnable {
        @Option(names = "--task", required = true, description = "task name (see `tasks list`)")
        String task;

        @Option(names = "--data", required = true, description = "a data file, or a folder holding the split's file")
        Path data;

        @Option(
                names = "--split",
                defaultValue = "validation",
                description = "train, validation (dev, val) or test; default ${DEFAULT-VALUE}")
        String split;

        @Option(names = "--limit", defaultValue = "0", description = "at most N items (0 = all)")
        int limit;

        @Option(names = "--cues", split = ",", description = "replace the task's answer cues, one word per class")
        List<String> cues;

        @Option(names = "--json", description = "one JSON object per line: id, prompt, choices, cues, label")
        boolean json;

        @Override
        public void run() {
            List<Item> items = TaskData.withCues(Task.byName(task).load(data, split), cues);
            items = TaskData.limit(items, limit);
            ObjectMapper mapper = new ObjectMapper();
            for (Item it : items) {
                if (json) {
                    ObjectNode o = mapper.createObjectNode();
                    o.put("id", it.id());
                    o.put("prompt", it.prompt());
                    o.putPOJO("choices", it.choices());
                    o.putPOJO("cues", it.cues());
                    o.put("label", it.label());
                    System.out.println(o);
                } else {
                    System.out.println("--- " + it.id() + " (label " + it.label() + ": "
                            + it.choices().get(it.label()) + ")");
                    System.out.println(it.prompt() + "  <" + String.join("|", it.cues()) + ">");
                }
            }
        }
    }
}
