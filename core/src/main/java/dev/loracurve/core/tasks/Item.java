package dev.loracurve.core.tasks;

import dev.loracurve.core.config.InvalidConfigException;
import dev.loracurve.core.config.InvalidConfigException.Violation;
import java.util.List;

/**
 * One benchmark item as a classification by the language model. The model reads
 * {@code passage + body} and each class is scored by the log-likelihood of its cue as the
 * continuation. Only the passage may be cut (from the left) when the prompt is too long.
 *
 * @param id      the dataset's id, or file:line when it has none
 * @param passage context that may be shortened from the left ("" when none)
 * @param body    the rest of the prompt: question, choices, and the final cue word ("Answer:")
 * @param choices the answer texts, for people
 * @param cues    the continuation scored for each choice (" A", " positive", …)
 * @param label   index of the correct choice, or {@link #NO_LABEL} for another benchmark's text put
 *                in this task's template (in-template OOD: no answer is right)
 * @param text    the input as the benchmark gives it, without the template (a sentence, a question)
 */
public record Item(
        String id, String passage, String body, List<String> choices, List<String> cues, int label, String text) {
    public static final int NO_LABEL = -1;

    public Item {
        if (choices.size() != cues.size() || choices.size() < 2) {
            throw new IllegalArgumentException("item " + id + ": needs at least two choices, one cue each");
        }
        if (label != NO_LABEL && (label < 0 || label >= choices.size())) {
            throw new IllegalArgumentException("item " + id + ": label " + label + " is not a choice index");
        }
        choices = List.copyOf(choices);
        cues = List.copyOf(cues);
    }

    /** The same item scored with other cues, one per choice (prompt engineering). */
    public Item withCues(List<String> newCues) {
        if (newCues.size() != cues.size()) {
            throw new InvalidConfigException(List.of(new Violation(
                    "cues", "gives " + newCues.size() + " cues but item " + id + " has " + cues.size() + " choices")));
        }
        return new Item(id, passage, body, choices, newCues, label, text);
    }

    /** The exact text given to the model (before any truncation). */
    public String prompt() {
        return passage + body;
    }
}
