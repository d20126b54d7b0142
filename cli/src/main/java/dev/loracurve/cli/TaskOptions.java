package dev.loracurve.cli;

import dev.loracurve.core.tasks.Task;
import dev.loracurve.core.tasks.TaskData;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The base model and the task's data, as every command that trains or scores names them. */
final class TaskOptions {
    static final Map<String, String> FLAGS = Map.of("maxLength", "--max-length", "cues", "--cues");

    @Option(names = "--model", required = true, description = "base model folder (Hugging Face layout)")
    Path model;

    @Option(names = "--task", required = true, description = "a task of `loracurve tasks list`")
    String task;

    @Option(names = "--data", required = true, description = "data file or folder")
    Path data;

    @Option(
            names = "--cues",
            split = ",",
            description = "replace the task's answer cues, one word per class, e.g. sad,happy")
    List<String> cues;

    @Option(
            names = "--max-length",
            defaultValue = "" + TaskData.DEFAULT_MAX_LENGTH,
            description = "longest prompt in tokens; longer passages lose words from the left")
    int maxLength;

    /** The task's data with these cues and this length; the command sets the splits. */
    TaskData.Builder data() {
        return TaskData.builder(Task.byName(task), data).cues(cues).maxLength(maxLength);
    }
}
