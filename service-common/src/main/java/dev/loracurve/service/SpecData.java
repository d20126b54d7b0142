package dev.loracurve.service;

import dev.loracurve.core.config.InvalidConfigException.Violation;
import dev.loracurve.core.model.TextTokenizer;
import dev.loracurve.core.tasks.Item;
import dev.loracurve.core.tasks.OodSet;
import dev.loracurve.core.tasks.PromptEncoder;
import dev.loracurve.core.tasks.TaskData;
import dev.loracurve.proto.v1.ExperimentSpec;
import dev.loracurve.proto.v1.OodSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The checks of a spec's data that need its files and tokenizer, made once at submission. */
final class SpecData {
    private SpecData() {}

    /**
     * What a stage would otherwise find only when it runs, checked at submission: every split the
     * spec reads is there and parses, and every prompt fits {@code max_length} with the model's
     * tokenizer; the same for each OOD set. Reads the data and tokenizes it once (no model
     * weights); call after {@link Specs#validate}. Throws {@link InvalidSpecException} naming the field
     * to change.
     */
    static void check(Specs specs, ExperimentSpec s) {
        List<Violation> v = new ArrayList<>();
        TaskData data = specs.taskData(s);
        try (TextTokenizer tok = TextTokenizer.load(specs.model(s))) {
            Map<String, Supplier<List<Item>>> splits = new LinkedHashMap<>();
            splits.put("spec.task.train_split", data::train);
            splits.put("spec.task.validation_split", data::validation);
            splits.put("spec.task.test_split", data::test);
            PromptEncoder enc = new PromptEncoder(tok, data.maxLength());
            splits.forEach((field, items) -> checkItems(v, field, "spec.task.max_length", items, enc));
            List<OodSpec> oods = Specs.oodSpecs(s);
            for (int i = 0; i < oods.size(); i++) {
                String prefix = Specs.oodPrefix(s, i);
                OodSet set = specs.oodSet(s, oods.get(i));
                PromptEncoder oodEnc = new PromptEncoder(tok, set.data().maxLength());
                checkItems(v, prefix + "split", prefix + "max_length", () -> set.items(data), oodEnc);
            }
        } catch (RuntimeException e) { // no tokenizer.json, or one that does not load
            v.add(new Violation("spec.base_model_uri", ": its tokenizer: " + e.getMessage()));
        }
        if (!v.isEmpty()) {
            throw new InvalidSpecException(v);
        }
    }

    /** Loads one split (a violation of {@code splitField} when it cannot) and encodes every item. */
    private static void checkItems(
            List<Violation> v, String splitField, String lengthField, Supplier<List<Item>> load, PromptEncoder enc) {
        List<Item> items;
        try {
            items = load.get();
        } catch (RuntimeException e) {
            v.add(new Violation(splitField, ": " + e.getMessage()));
            return;
        }
        try {
            enc.encode(items);
        } catch (IllegalArgumentException e) {
            // too long for max_length, or choices the tokenizer cannot tell apart (cues, or another model)
            String m = e.getMessage();
            v.add(new Violation(m.contains("maximum length") ? lengthField : splitField, ": " + m));
        }
    }
}
