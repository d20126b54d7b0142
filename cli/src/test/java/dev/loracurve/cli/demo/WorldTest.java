package dev.loracurve.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loracurve.core.model.TextTokenizer;
import dev.loracurve.core.model.WordTokenizer;
import dev.loracurve.core.tasks.Item;
import dev.loracurve.core.tasks.Task;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated world: deterministic, splits by fact, unseen people without facts, a closed vocabulary. */
class WorldTest {
    @TempDir
    Path dir;

    private static final Pattern NAME = Pattern.compile("(?:where does|colour does|pet does|job of) (\\w+)");

    @Test
    void splitsAskAboutTheRightPeopleAndTheVocabularyCoversEverything() throws Exception {
        World w = World.generate(3, 20, 10);
        assertEquals(w.sentences(), World.generate(3, 20, 10).sentences(), "deterministic for a seed");
        w.writeData(dir, 0.5, 0.1);
        Task world = Task.byName("world");
        Set<String> seenNames = new HashSet<>();
        Set<String> ids = new HashSet<>();
        int inDistribution = 0;
        for (String split : List.of("train", "validation", "test")) {
            for (Item item : world.load(dir, split)) {
                seenNames.add(name(item));
                assertTrue(ids.add(item.id()), "an item in two splits: " + item.id());
                inDistribution++;
            }
        }
        assertEquals(20 * 4, inDistribution, "every fact of every seen person is asked once");
        List<Item> ood = world.load(dir, "ood");
        assertEquals(10 * 4, ood.size());
        String corpus = String.join("\n", w.sentences());
        for (Item item : ood) {
            String n = name(item);
            assertFalse(seenNames.contains(n));
            assertEquals(4, new HashSet<>(item.choices()).size());
            assertTrue(item.body().startsWith("Question: ") && item.body().endsWith("Answer:"), item.body());
            assertEquals(
                    " " + item.choices().get(0), item.cues().get(0), "cloze: the choice's text is the continuation");
            for (String c : item.choices()) {
                assertFalse(
                        corpus.contains(n + " lives in " + c) || corpus.contains(n + " likes " + c),
                        "a fact of an unseen person");
            }
            assertTrue(corpus.contains(n + " is a person ."), "unseen people are mentioned without facts");
        }
        for (Item item : world.load(dir, "test")) { // the answer of an in-distribution question is a stated fact
            String answer = item.choices().get(item.label());
            assertTrue(corpus.contains(name(item) + " ") && corpus.contains(" " + answer + " "), item.id());
        }
        Path model = dir.resolve("model");
        Files.createDirectories(model);
        WordTokenizer.write(model, w.vocabulary());
        try (TextTokenizer tok = TextTokenizer.load(model)) {
            for (String text : w.sentences()) {
                for (long id : tok.encode(text)) {
                    assertTrue(id != 0, "<unk> in '" + text + "'");
                }
            }
            for (Item item : ood) {
                for (long id : tok.encode(item.prompt() + item.cues().get(0))) {
                    assertTrue(id != 0, "<unk> in " + item.prompt());
                }
            }
        }
    }

    private static String name(Item item) {
        Matcher m = NAME.matcher(item.body());
        assertTrue(m.find(), item.body());
        return m.group(1);
    }
}
