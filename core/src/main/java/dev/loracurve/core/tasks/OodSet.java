package dev.loracurve.core.tasks;

import java.util.ArrayList;
import java.util.List;

/**
 * Out-of-distribution items for one protocol of the Bayesian-LoRA literature.
 *
 * <ul>
 *   <li>{@link Protocol#IN_TEMPLATE}: another benchmark's texts put through the in-distribution
 *       task's prompt and choices (what a deployed classifier meets; for BoolQ and RTE the text is
 *       the passage, with the task's own questions in turn); no answer is right, so only the
 *       uncertainty metrics apply.
 *   <li>{@link Protocol#OTHER_TASK}: another benchmark with its own prompt and choices (Laplace-LoRA,
 *       BLoB: trained on OpenBookQA, tested on ARC); its accuracy and ECE are reported too.
 * </ul>
 *
 * @param data the other benchmark's items (its test split)
 */
public record OodSet(Protocol protocol, TaskData data) {
    public enum Protocol {
        IN_TEMPLATE("in_template"),
        OTHER_TASK("other_task");

        private final String key;

        Protocol(String key) {
            this.key = key;
        }

        /** The protocol's name in specs, flags and report.json. */
        public String key() {
            return key;
        }

        public static Protocol of(String key) {
            for (Protocol p : values()) {
                if (p.key.equals(key)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("unknown OOD protocol '" + key + "'; known: in_template, other_task");
        }

        /**
         * What a user expects when no protocol is named: a classifier meets other texts in its own
         * template; a multiple-choice task, or the same task's unseen part, keeps its own.
         */
        public static Protocol defaultFor(Task inDistribution, Task ood) {
            return inDistribution.template().isPresent()
                            && !inDistribution.name().equals(ood.name())
                    ? IN_TEMPLATE
                    : OTHER_TASK;
        }
    }

    /** The set's name in report.json: protocol and benchmark, e.g. {@code in_template:sst2}. */
    public String name() {
        return protocol.key() + ":" + data.task().name();
    }

    /** The items to score next to {@code inDistribution}'s (whose cues, when replaced, apply in its template). */
    public List<Item> items(TaskData inDistribution) {
        List<Item> items = data.test();
        if (protocol == Protocol.OTHER_TASK) {
            return items;
        }
        Task.Template template = inDistribution
                .task()
                .template()
                .orElseThrow(() -> new IllegalArgumentException("OOD protocol in_template needs an in-distribution"
                        + " task with fixed classes (sst2, trec, agnews, boolq, rte); "
                        + inDistribution.task().name() + " is not one: use other_task"));
        List<Item> partners = inDistribution.test(); // the two-text tasks' questions, in turn
        List<Item> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Item partner = partners.isEmpty() ? null : partners.get(i % partners.size());
            out.add(template.wrap(items.get(i).id(), items.get(i).text(), Item.NO_LABEL, partner));
        }
        return inDistribution.withCues(out);
    }
}
