package dev.loracurve.core.tasks;

import java.nio.file.Path;
import java.util.List;

/**
 * A task's data as an experiment names it: split names, limits, replaced cues and prompt length.
 * The one place that turns those settings into item lists, for the commands and the services.
 *
 * @param validationSplit a split name, "none", or "holdout:N" (the last N training items)
 * @param cues            one word per class replacing the task's cues; empty keeps them
 */
public record TaskData(
        Task task,
        Path data,
        String trainSplit,
        String validationSplit,
        String testSplit,
        int trainLimit,
        int validationLimit,
        int testLimit,
        List<String> cues,
        int maxLength) {

    public TaskData {
        cues = cues == null ? List.of() : List.copyOf(cues);
        if (maxLength < 8) {
            throw new IllegalArgumentException("max length must be at least 8 tokens, got " + maxLength);
        }
    }

    /** Training items (without a hold-out's last N). */
    public List<Item> train() {
        List<Item> all = withCues(task.load(data, trainSplit));
        int holdout = holdout(all.size());
        return limit(all.subList(0, all.size() - holdout), trainLimit);
    }

    /** Validation items: the named split, the hold-out, or none. */
    public List<Item> validation() {
        if (validationSplit.equals("none")) {
            return List.of();
        }
        if (validationSplit.startsWith("holdout:")) {
            List<Item> all = withCues(task.load(data, trainSplit));
            return limit(all.subList(all.size() - holdout(all.size()), all.size()), validationLimit);
        }
        return limit(withCues(task.load(data, validationSplit)), validationLimit);
    }

    public List<Item> test() {
        return limit(withCues(task.load(data, testSplit)), testLimit);
    }

    private int holdout(int trainSize) {
        if (!validationSplit.startsWith("holdout:")) {
            return 0;
        }
        int n;
        try {
            n = Integer.parseInt(validationSplit.substring("holdout:".length()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "validation split: holdout:N needs a number, got '" + validationSplit + "'");
        }
        if (n <= 0 || n >= trainSize) {
            throw new IllegalArgumentException("validation split holdout:N needs 0 < N < " + trainSize + ", got " + n);
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
}
