package dev.loracurve.core.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Text classification with named classes: BoolQ, SST-2, RTE, TREC, AG News. The text to classify
 * is the passage (cut from the left when too long); the body ends in the task's cue word.
 */
final class ClassificationTasks {
    private ClassificationTasks() {}

    /** @param wrap how another text becomes an item of this task (the in-template OOD protocol) */
    private record LineTask(String name, Function<Path, List<Item>> loader, Task.Template wrap) implements Task {
        @Override
        public List<Item> load(Path file) {
            return loader.apply(file);
        }

        @Override
        public Optional<Task.Template> template() {
            return Optional.ofNullable(wrap);
        }
    }

    private static final List<String> TRUE_FALSE = List.of("True", "False");

    /** A two-text task's template: the other text as the passage, a question or hypothesis of its own. */
    private static final Task.Template PASSAGE = (id, text, label, partner) ->
            new Item(id, text + "\n", partner.body(), partner.choices(), partner.cues(), label, text);

    private static List<String> cues(List<String> choices) {
        return choices.stream().map(c -> " " + c).toList();
    }

    /** BoolQ: Google's JSONL (answer: true/false) or SuperGLUE's (label: bool, "true"/"false", 1/0). */
    static Task boolq() {
        return new LineTask(
                "boolq",
                file -> {
                    List<Item> items = new ArrayList<>();
                    for (DataFiles.Row row : DataFiles.jsonRows(file)) {
                        String field = row.json().has("answer") ? "answer" : "label";
                        boolean yes = bool(file, row, field);
                        String q = DataFiles.text(file, row, "question").strip();
                        String id = row.json().path("idx").asText(file.getFileName() + ":" + row.line());
                        items.add(new Item(
                                id,
                                DataFiles.text(file, row, "passage").strip() + "\n",
                                "Question: " + q + (q.endsWith("?") ? "" : "?") + "\nAnswer:",
                                TRUE_FALSE,
                                cues(TRUE_FALSE),
                                yes ? 0 : 1,
                                q));
                    }
                    return items;
                },
                PASSAGE);
    }

    private static boolean bool(Path file, DataFiles.Row row, String field) {
        JsonNode v = row.json().path(field);
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        return switch (v.asText("").trim().toLowerCase()) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new DataFormatException(file, row.line(), field, "'" + v.asText() + "' is not a boolean");
        };
    }

    /** SST-2 (GLUE TSV with a header: sentence, label 0/1). */
    static Task sst2() {
        List<String> classes = List.of("negative", "positive");
        Task.Template template = (id, text, label, partner) ->
                new Item(id, "Review: " + text + "\n", "Sentiment:", classes, cues(classes), label, text);
        return new LineTask(
                "sst2",
                file -> {
                    List<String[]> rows = tsv(file);
                    String[] header = rows.get(0);
                    int s = List.of(header).indexOf("sentence");
                    int l = List.of(header).indexOf("label");
                    if (s < 0 || l < 0) {
                        throw new DataFormatException(
                                file,
                                1,
                                l < 0 ? "label" : "sentence",
                                "no such column in the header " + List.of(header)
                                        + " (a GLUE test file has no labels)");
                    }
                    List<Item> items = new ArrayList<>();
                    for (int i = 1; i < rows.size(); i++) {
                        String[] f = rows.get(i);
                        if (f.length <= Math.max(s, l)) {
                            throw new DataFormatException(
                                    file, i + 1, null, "has " + f.length + " columns, needs " + (Math.max(s, l) + 1));
                        }
                        int label = switch (f[l].trim()) {
                            case "0" -> 0;
                            case "1" -> 1;
                            default ->
                                throw new DataFormatException(file, i + 1, "label", "'" + f[l] + "' is not 0 or 1");
                        };
                        items.add(template.wrap(file.getFileName() + ":" + (i + 1), f[s].strip(), label, null));
                    }
                    return items;
                },
                template);
    }

    /** RTE (SuperGLUE JSONL: premise, hypothesis, label entailment / not_entailment). */
    static Task rte() {
        return new LineTask(
                "rte",
                file -> {
                    List<Item> items = new ArrayList<>();
                    for (DataFiles.Row row : DataFiles.jsonRows(file)) {
                        String label = DataFiles.text(file, row, "label");
                        int y = switch (label) {
                            case "entailment", "0" -> 0;
                            case "not_entailment", "1" -> 1;
                            default ->
                                throw new DataFormatException(
                                        file,
                                        row.line(),
                                        "label",
                                        "'" + label + "' is not entailment or not_entailment");
                        };
                        String id = row.json().path("idx").asText(file.getFileName() + ":" + row.line());
                        items.add(new Item(
                                id,
                                DataFiles.text(file, row, "premise").strip() + "\n",
                                "Question: "
                                        + DataFiles.text(file, row, "hypothesis")
                                                .strip() + " True or False?\nAnswer:",
                                TRUE_FALSE,
                                cues(TRUE_FALSE),
                                y,
                                DataFiles.text(file, row, "premise").strip()));
                    }
                    return items;
                },
                PASSAGE);
    }

    /** TREC coarse classes from "COARSE:fine question" lines. */
    static Task trec() {
        Map<String, Integer> coarse = Map.of("ABBR", 0, "DESC", 1, "ENTY", 2, "HUM", 3, "LOC", 4, "NUM", 5);
        // the cues' first pieces are distinct in small vocabularies too
        List<String> classes = List.of("abbreviation", "description", "thing", "human", "location", "number");
        Task.Template template = (id, text, label, partner) ->
                new Item(id, "", "Question: " + text + "\nType:", classes, cues(classes), label, text);
        return new LineTask(
                "trec",
                file -> {
                    String[] lines = DataFiles.read(file).split("\r?\n");
                    List<Item> items = new ArrayList<>();
                    for (int i = 0; i < lines.length; i++) {
                        if (lines[i].isBlank()) {
                            continue;
                        }
                        int colon = lines[i].indexOf(':');
                        int space = lines[i].indexOf(' ');
                        if (colon < 0 || space < colon) {
                            throw new DataFormatException(
                                    file, i + 1, "label", "line does not start with 'COARSE:fine '");
                        }
                        Integer y = coarse.get(lines[i].substring(0, colon));
                        if (y == null) {
                            throw new DataFormatException(
                                    file,
                                    i + 1,
                                    "label",
                                    "unknown coarse class '" + lines[i].substring(0, colon)
                                            + "' (ABBR, DESC, ENTY, HUM, LOC, NUM)");
                        }
                        items.add(template.wrap(
                                file.getFileName() + ":" + (i + 1),
                                lines[i].substring(space + 1).strip(),
                                y,
                                null));
                    }
                    return items;
                },
                template);
    }

    /** AG News CSV: Class Index (1-4), Title, Description. */
    static Task agnews() {
        List<String> classes = List.of("world", "sports", "business", "science");
        // another text stands in for a title without a description: both are a line of news
        Task.Template template = (id, text, label, partner) ->
                new Item(id, "", "Title: " + text + "\nTopic:", classes, cues(classes), label, text);
        return new LineTask(
                "agnews",
                file -> {
                    List<Item> items = new ArrayList<>();
                    CSVFormat format = CSVFormat.DEFAULT
                            .builder()
                            .setHeader()
                            .setSkipHeaderRecord(true)
                            .build();
                    try (CSVParser p = CSVParser.parse(new StringReader(DataFiles.read(file)), format)) {
                        if (!p.getHeaderNames().containsAll(List.of("Class Index", "Title", "Description"))) {
                            throw new DataFormatException(
                                    file,
                                    1,
                                    null,
                                    "header needs Class Index, Title, Description; has " + p.getHeaderNames());
                        }
                        for (CSVRecord r : p) {
                            long line = p.getCurrentLineNumber();
                            if (!r.isConsistent()) {
                                throw new DataFormatException(
                                        file, line, null, "has " + r.size() + " fields, header has 3");
                            }
                            int y;
                            try {
                                y = Integer.parseInt(r.get("Class Index").trim()) - 1;
                            } catch (NumberFormatException e) {
                                y = -1;
                            }
                            if (y < 0 || y > 3) {
                                throw new DataFormatException(
                                        file, line, "Class Index", "'" + r.get("Class Index") + "' is not 1-4");
                            }
                            String desc =
                                    r.get("Description").replace("\\", " ").strip();
                            items.add(new Item(
                                    file.getFileName() + ":" + line,
                                    desc + "\n",
                                    "Title: " + r.get("Title").strip() + "\nTopic:",
                                    classes,
                                    cues(classes),
                                    y,
                                    r.get("Title").strip()));
                        }
                    } catch (IOException | IllegalStateException | UncheckedIOException e) {
                        // the text is in memory: every IOException here is commons-csv's CSVException
                        throw new DataFormatException(file, 0, null, "malformed CSV: " + e.getMessage());
                    }
                    return items;
                },
                template);
    }

    private static List<String[]> tsv(Path file) {
        List<String[]> rows = new ArrayList<>();
        for (String line : DataFiles.read(file).split("\r?\n")) {
            rows.add(line.split("\t", -1));
        }
        return rows;
    }
}
