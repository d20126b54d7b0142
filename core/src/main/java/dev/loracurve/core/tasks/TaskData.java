package dev.loracurve.core.tasks;

import dev.loracurve.core.config.Violations;
import java.nio.file.Path;
import java.util.List;

/**
 * A task's data as an experiment names it: splits with their limits, replaced cues and prompt
 * length. The one place that turns those settings into item lists, for the commands and the
 * services. Built by name, defaults in {@link Builder}: {@code TaskData.builder(task, path).test("dev", 500).build()}.
 *
 * @param validationSplit a split, "none", or "holdout:N" (the last N training items)
 * @param cues       one word per class replacing the task's cues; empty keeps them
 * @param maxLength  longest prompt in tokens; longer passages are cut from the left
 */
public record TaskData(
        Task task,
        Path data,
        Split trainSplit,
        Split validationSplit,
        Split testSplit,
        List<String> cues,
        int maxLength) {
    /** The longest prompt by default, in tokens. */
    public static final int DEFAULT_MAX_LENGTH = 256;

    /** A split by name, and how many of its first items to use (0 = all). */
    public record Split(String name, int limit) {
        public static final Split NONE = new Split("none", 0);
    }

    public TaskData {
        cues = cues == null ? List.of() : List.copyOf(cues);
        Violations v = new Violations();
        v.require(maxLength >= 8, "maxLength", "must be >= 8, got " + maxLength);
        v.nonNegative("trainSplit.limit", trainSplit.limit())
                .nonNegative("validationSplit.limit", validationSplit.limit())
                .nonNegative("testSplit.limit", testSplit.limit());
        String val = validationSplit.name();
        v.require(
                !val.startsWith("holdout:") || val.substring(8).matches("[1-9][0-9]{0,8}"),
                "validationSplit.name",
                ": holdout:N needs a positive N, got '" + val + "'");
        v.throwIfAny();
    }

    /** Training items (without a hold-out's last N). */
    public List<Item> train() {
        List<Item> all = withCues(task.load(data, trainSplit.name()));
        int holdout = holdout(all.size());
        return limit(all.subList(0, all.size() - holdout), trainSplit.limit());
    }

    /** Validation items: the named split, the hold-out, or none. */
    public List<Item> validation() {
        if (validationSplit.name().equals("none")) {
            return List.of();
        }
        if (validationSplit.name().startsWith("holdout:")) {
            List<Item> all = withCues(task.load(data, trainSplit.name()));
            return limit(all.subList(all.size() - holdout(all.size()), all.size()), validationSplit.limit());
        }
        return limit(withCues(task.load(data, validationSplit.name())), validationSplit.limit());
    }

    public List<Item> test() {
        return limit(withCues(task.load(data, testSplit.name())), testSplit.limit());
    }

    private int holdout(int trainSize) {
        if (!validationSplit.name().startsWith("holdout:")) {
            return 0;
        }
        int n = Integer.parseInt(validationSplit.name().substring("holdout:".length()));
        if (n >= trainSize) {
            throw new IllegalArgumentException(
                    "validation split holdout:N needs 0 < N < " + trainSize + " (the training items), got " + n);
        }
        return n;
    }

    /** Items with their cues replaced by " word" for each given word. */
    public List<Item> withCues(List<Item> items) {
        return withCues(items, cues);
    }

    /** Items with their cues replaced by " word" for each given word; unchanged when words is null or empty. */
    public static List<Item> withCues(List<Item> items, List<String> words) {
        if (words == null || words.isEmpty()) {
            return items;
        }
        List<String> replaced = words.stream().map(w -> " " + w.strip()).toList();
        return items.stream().map(i -> i.withCues(replaced)).toList();
    }

    /** The first n items (all when n <= 0). */
    public static <T> List<T> limit(List<T> items, int n) {
        return n > 0 && items.size() > n ? items.subList(0, n) : items;
    }

    public static Builder builder(Task task, Path data) {
        return new Builder(task, data);
    }

    /** Defaults: splits train / validation / test, all items, the task's own cues, prompts of up to 256 tokens. */
    public static final class Builder {
        private final Task task;
        private final Path data;
        private Split train = new Split("train", 0);
        private Split validation = new Split("validation", 0);
        private Split test = new Split("test", 0);
        private List<String> cues = List.of();
        private int maxLength = DEFAULT_MAX_LENGTH;

        private Builder(Task task, Path data) {
            this.task = task;
            this.data = data;
        }

        public Builder train(String name, int limit) {
            train = new Split(name, limit);
            return this;
        }

        /** A split name, "none", or "holdout:N". */
        public Builder validation(String name, int limit) {
            validation = new Split(name, limit);
            return this;
        }

        public Builder test(String name, int limit) {
            test = new Split(name, limit);
            return this;
        }

        public Builder cues(List<String> v) {
            cues = v;
            return this;
        }

        public Builder maxLength(int v) {
            maxLength = v;
            return this;
        }

        public TaskData build() {
            return new TaskData(task, data, train, validation, test, cues, maxLength);
        }
    }
}
