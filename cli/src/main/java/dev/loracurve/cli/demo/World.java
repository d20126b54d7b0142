package dev.loracurve.cli.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loracurve.core.model.WordTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A small generated world for the self-contained demo: people with made-up names, each with a
 * city, a colour, a pet and a job. The base model is pretrained on declarative sentences about
 * the "seen" people only; the task asks multiple-choice questions about them (train, validation,
 * test: different facts of the same people) and about "unseen" people (ood), whose answers no
 * model can know: where epistemic uncertainty should show.
 */
public final class World {
    /** Attribute → its values; the question and the statement templates ({n} name, {v} value). */
    private record Attribute(String name, List<String> values, String question, List<String> statements) {}

    private static final List<Attribute> ATTRIBUTES = List.of(
            new Attribute(
                    "city",
                    List.of("paris", "rome", "oslo", "lima", "cairo", "tokyo", "delhi", "quito"),
                    "where does {n} live ?",
                    List.of("{n} lives in {v} .", "{n} is from {v} .", "the home of {n} is {v} .")),
            new Attribute(
                    "colour",
                    List.of("red", "blue", "green", "yellow", "black", "white", "purple", "orange"),
                    "which colour does {n} like ?",
                    List.of("{n} likes {v} .", "the favourite colour of {n} is {v} .")),
            new Attribute(
                    "pet",
                    List.of("cat", "dog", "horse", "fish", "bird", "snake", "rabbit", "turtle"),
                    "which pet does {n} have ?",
                    List.of("{n} has a {v} .", "the pet of {n} is a {v} .")),
            new Attribute(
                    "job",
                    List.of("baker", "doctor", "farmer", "pilot", "singer", "teacher", "tailor", "miner"),
                    "what is the job of {n} ?",
                    List.of("{n} works as a {v} .", "{n} is a {v} by trade .")));
    private static final List<String> MENTIONS = List.of("{n} is a person .", "we met {n} .");

    public static final int CHOICES = 4;

    private record Person(String name, int[] values) {}

    private final List<Person> seen;
    private final List<Person> unseen;
    private final long seed;

    private World(List<Person> seen, List<Person> unseen, long seed) {
        this.seen = seen;
        this.unseen = unseen;
        this.seed = seed;
    }

    /** A world of {@code seenCount} people the base learns about and {@code unseenCount} it never sees. */
    public static World generate(long seed, int seenCount, int unseenCount) {
        SplittableRandom rng = new SplittableRandom(seed);
        String consonants = "bdfgklmnprstvz";
        String vowels = "aeiou";
        Set<String> names = new LinkedHashSet<>();
        while (names.size() < seenCount + unseenCount) {
            StringBuilder n = new StringBuilder();
            for (int s = 0; s < 2 + rng.nextInt(2); s++) {
                n.append(consonants.charAt(rng.nextInt(consonants.length())))
                        .append(vowels.charAt(rng.nextInt(vowels.length())));
            }
            names.add(n.toString());
        }
        List<Person> people = new ArrayList<>();
        for (String n : names) {
            int[] v = new int[ATTRIBUTES.size()];
            for (int a = 0; a < v.length; a++) {
                v[a] = rng.nextInt(ATTRIBUTES.get(a).values().size());
            }
            people.add(new Person(n, v));
        }
        return new World(people.subList(0, seenCount), people.subList(seenCount, people.size()), seed);
    }

    /**
     * The pretraining corpus: every statement template of every fact of every seen person, and a
     * mention of each unseen person without any fact, so that their names are familiar words whose
     * facts the base does not know (as a real LM has heard of entities it knows nothing about).
     */
    public List<String> sentences() {
        List<String> out = new ArrayList<>();
        for (Person p : unseen) {
            for (String t : MENTIONS) {
                out.add(t.replace("{n}", p.name()));
            }
        }
        for (Person p : seen) {
            for (int a = 0; a < ATTRIBUTES.size(); a++) {
                Attribute attr = ATTRIBUTES.get(a);
                for (String t : attr.statements()) {
                    out.add(t.replace("{n}", p.name())
                            .replace("{v}", attr.values().get(p.values()[a])));
                }
            }
        }
        return out;
    }

    /** Every piece the corpus, the questions and the prompt template use, for a word-level tokenizer. */
    public List<String> vocabulary() {
        Set<String> words = new LinkedHashSet<>();
        List<String> texts = new ArrayList<>(List.of("Question: \nAnswer:"));
        texts.addAll(MENTIONS);
        for (Attribute a : ATTRIBUTES) {
            texts.addAll(a.statements());
            texts.add(a.question());
            texts.addAll(a.values());
        }
        for (Person p : seen) {
            texts.add(p.name());
        }
        for (Person p : unseen) {
            texts.add(p.name());
        }
        for (String t : texts) {
            WordTokenizer.addPieces(t.replace("{n}", "").replace("{v}", ""), words);
        }
        return new ArrayList<>(words);
    }

    /**
     * Writes the task's splits in the ARC layout (task "world"): questions about seen people split
     * by fact into train / validation / test with the given fractions, and ood.jsonl about unseen people.
     */
    public void writeData(Path dir, double trainFraction, double validationFraction) throws IOException {
        Files.createDirectories(dir);
        SplittableRandom rng = new SplittableRandom(seed ^ 0x5EED);
        Map<String, List<String>> splits = new LinkedHashMap<>();
        for (String s : List.of("train", "validation", "test", "ood")) {
            splits.put(s, new ArrayList<>());
        }
        ObjectMapper json = new ObjectMapper();
        int id = 0;
        for (Person p : seen) {
            for (int a = 0; a < ATTRIBUTES.size(); a++) {
                double u = rng.nextDouble();
                String split =
                        u < trainFraction ? "train" : u < trainFraction + validationFraction ? "validation" : "test";
                splits.get(split).add(question(json, "w" + id++, p, a, rng));
            }
        }
        for (Person p : unseen) {
            for (int a = 0; a < ATTRIBUTES.size(); a++) {
                splits.get("ood").add(question(json, "w" + id++, p, a, rng));
            }
        }
        for (Map.Entry<String, List<String>> e : splits.entrySet()) {
            Files.write(dir.resolve(e.getKey() + ".jsonl"), e.getValue());
        }
    }

    /** One question with the true value and three other values of the attribute, shuffled. */
    private static String question(ObjectMapper json, String id, Person p, int a, SplittableRandom rng) {
        Attribute attr = ATTRIBUTES.get(a);
        List<Integer> choices = new ArrayList<>(List.of(p.values()[a]));
        while (choices.size() < CHOICES) {
            int c = rng.nextInt(attr.values().size());
            if (!choices.contains(c)) {
                choices.add(c);
            }
        }
        Collections.shuffle(choices, new Random(rng.nextLong()));
        ObjectNode row = json.createObjectNode();
        row.put("id", id);
        row.put("question", attr.question().replace("{n}", p.name()));
        ObjectNode c = row.putObject("choices");
        ArrayNode text = c.putArray("text");
        ArrayNode label = c.putArray("label");
        for (int i = 0; i < choices.size(); i++) {
            text.add(attr.values().get(choices.get(i)));
            label.add(String.valueOf((char) ('A' + i)));
        }
        row.put("answerKey", String.valueOf((char) ('A' + choices.indexOf(p.values()[a]))));
        return row.toString();
    }
}
