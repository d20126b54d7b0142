package dev.loracurve.core.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Question answering with lettered options: ARC, OpenBookQA, CommonsenseQA, WinoGrande. The prompt
 * lists the options as "A. …", "B. …" and ends in "Answer:"; the cues are " A", " B", … by position,
 * whatever labels the file uses (letters or digits).
 */
final class MultipleChoiceTasks {
    private MultipleChoiceTasks() {}

    /** A task defined by a row parser; the layout is recognised per row from its fields. */
    private record RowTask(String name, Function<Path, List<Item>> loader) implements Task {
        @Override
        public List<Item> load(Path file) {
            return loader.apply(file);
        }
    }

    static Item item(
            Path file,
            long line,
            String id,
            String question,
            List<String> texts,
            List<String> labels,
            String answerKey) {
        int label = labels.indexOf(answerKey.trim());
        if (label < 0) {
            throw new DataFormatException(
                    file, line, "answerKey", "'" + answerKey + "' is not one of the labels " + labels);
        }
        StringBuilder body =
                new StringBuilder("Question: ").append(question.strip()).append('\n');
        List<String> cues = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            String letter = String.valueOf((char) ('A' + i));
            body.append(letter).append(". ").append(texts.get(i).strip()).append('\n');
            cues.add(" " + letter);
        }
        body.append("Answer:");
        return new Item(id, "", body.toString(), texts, cues, label, question.strip());
    }

    /** ARC: Hugging Face layout (question, choices{text[], label[]}) or AI2 (question{stem, choices[]}). */
    static Task arc(String name) {
        return new RowTask(name, file -> {
            List<Item> items = new ArrayList<>();
            for (DataFiles.Row row : DataFiles.jsonRows(file)) {
                items.add(questionWithChoices(file, row, "question"));
            }
            return items;
        });
    }

    /**
     * The ARC layout scored as a cloze: "Question: …\nAnswer:" and each choice's own text as its
     * continuation (no lettered list). The demo's generated world uses it.
     */
    static Task cloze(String name) {
        return new RowTask(name, file -> {
            List<Item> items = new ArrayList<>();
            for (DataFiles.Row row : DataFiles.jsonRows(file)) {
                Item lettered = questionWithChoices(file, row, "question");
                String stem = row.json().path("question").asText().strip();
                items.add(new Item(
                        lettered.id(),
                        "",
                        "Question: " + stem + "\nAnswer:",
                        lettered.choices(),
                        lettered.choices().stream().map(c -> " " + c.strip()).toList(),
                        lettered.label(),
                        stem));
            }
            return items;
        });
    }

    /** CommonsenseQA's original JSONL has the AI2 layout with five choices. */
    static Task commonsenseqa() {
        return arc("commonsenseqa");
    }

    private static Item questionWithChoices(Path file, DataFiles.Row row, String questionField) {
        JsonNode j = row.json();
        JsonNode q = j.path(questionField);
        String id = j.path("id").asText(file.getFileName() + ":" + row.line());
        List<String> texts = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        String stem;
        if (q.isObject()) { // AI2 / CommonsenseQA: question.stem, question.choices[{label, text}]
            stem = q.path("stem").asText("");
            for (JsonNode c : q.path("choices")) {
                texts.add(c.path("text").asText());
                labels.add(c.path("label").asText());
            }
            questionField = questionField + ".stem";
        } else { // Hugging Face: question, choices{text[], label[]}
            stem = q.asText("");
            JsonNode c = j.path("choices");
            for (int i = 0; i < c.path("text").size(); i++) {
                texts.add(c.path("text").get(i).asText());
                labels.add(c.path("label").path(i).asText());
            }
        }
        if (stem.isBlank()) {
            throw new DataFormatException(file, row.line(), questionField, "missing or empty");
        }
        if (texts.size() < 2 || texts.size() != labels.size()) {
            throw new DataFormatException(
                    file, row.line(), "choices", "needs at least two choices, each with text and label");
        }
        return item(file, row.line(), id, stem, texts, labels, DataFiles.text(file, row, "answerKey"));
    }

    /** OpenBookQA: the original TSV (ID, Question Stem, Choices "(A) …", …, Answer Key) or Hugging Face JSONL. */
    static Task openbookqa() {
        return new RowTask("openbookqa", file -> {
            String text = DataFiles.read(file);
            if (text.stripLeading().startsWith("{")) {
                List<Item> items = new ArrayList<>();
                for (DataFiles.Row row : DataFiles.jsonRows(file)) {
                    items.add(questionWithChoices(file, row, "question_stem"));
                }
                return items;
            }
            return openbookqaTsv(file, text);
        });
    }

    private static final Pattern OPTION = Pattern.compile("\\(([A-Z])\\)\\s*(.*?)\\s*(?=\\([A-Z]\\)|$)");

    private static List<Item> openbookqaTsv(Path file, String text) {
        String[] lines = text.split("\r?\n");
        String[] header = lines[0].split("\t");
        int idCol = indexOf(header, "ID");
        int stemCol = indexOf(header, "Question Stem");
        int choicesCol = indexOf(header, "Choices");
        int keyCol = indexOf(header, "Answer Key");
        if (stemCol < 0 || choicesCol < 0 || keyCol < 0) {
            throw new DataFormatException(
                    file, 1, null, "header needs 'Question Stem', 'Choices' and 'Answer Key' columns");
        }
        List<Item> items = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            String[] f = lines[i].split("\t", -1);
            if (f.length < header.length) {
                throw new DataFormatException(
                        file, i + 1, null, "has " + f.length + " columns, header has " + header.length);
            }
            List<String> labels = new ArrayList<>();
            List<String> texts = new ArrayList<>();
            Matcher m = OPTION.matcher(f[choicesCol]);
            while (m.find()) {
                labels.add(m.group(1));
                texts.add(m.group(2));
            }
            if (labels.size() < 2) {
                throw new DataFormatException(
                        file, i + 1, "Choices", "no '(A) … (B) …' options in '" + f[choicesCol] + "'");
            }
            String id = idCol >= 0 ? f[idCol] : file.getFileName() + ":" + (i + 1);
            items.add(item(file, i + 1, id, f[stemCol], texts, labels, f[keyCol]));
        }
        return items;
    }

    private static int indexOf(String[] header, String name) {
        for (int i = 0; i < header.length; i++) {
            if (header[i].trim().equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * WinoGrande: official JSONL (sentence with "_", option1, option2, answer "1"/"2"), MosaicML's
     * (context_options, continuation, gold) and LLM-Adapters' JSON array (instruction, answer "option1"/"option2").
     */
    static Task winogrande() {
        return new RowTask("winogrande", file -> {
            List<Item> items = new ArrayList<>();
            for (DataFiles.Row row : DataFiles.jsonRows(file)) {
                items.add(winograndeRow(file, row));
            }
            return items;
        });
    }

    private static final Pattern LLM_ADAPTERS = Pattern.compile(
            "(?s).*?complete the given sentence:\\s*(.*?)\\s*Option1:\\s*(.*?)\\s*Option2:\\s*(.*?)\\s*Answer format:.*");

    private static Item winograndeRow(Path file, DataFiles.Row row) {
        JsonNode j = row.json();
        String id = j.path("qID").asText(file.getFileName() + ":" + row.line());
        String sentence;
        String o1;
        String o2;
        int answer;
        if (j.has("sentence")) {
            sentence = DataFiles.text(file, row, "sentence");
            o1 = DataFiles.text(file, row, "option1");
            o2 = DataFiles.text(file, row, "option2");
            answer = oneOrTwo(file, row, "answer", DataFiles.text(file, row, "answer"));
        } else if (j.has("context_options")) {
            JsonNode opts = j.path("context_options");
            String cont = DataFiles.text(file, row, "continuation");
            if (opts.size() != 2) {
                throw new DataFormatException(file, row.line(), "context_options", "needs two options");
            }
            // the two contexts differ only in the final option words: recover "prefix _ continuation"
            String a = opts.get(0).asText();
            String b = opts.get(1).asText();
            int common = 0;
            while (common < Math.min(a.length(), b.length()) && a.charAt(common) == b.charAt(common)) {
                common++;
            }
            common = a.lastIndexOf(' ', common - 1) + 1; // back to a word start
            sentence = a.substring(0, common) + "_ " + cont;
            o1 = a.substring(common);
            o2 = b.substring(common);
            answer = j.path("gold").canConvertToInt() ? j.path("gold").asInt() + 1 : -1;
            if (answer != 1 && answer != 2) {
                throw new DataFormatException(file, row.line(), "gold", "must be 0 or 1");
            }
        } else if (j.has("instruction")) {
            Matcher m = LLM_ADAPTERS.matcher(j.path("instruction").asText());
            if (!m.matches()) {
                throw new DataFormatException(
                        file, row.line(), "instruction", "no 'sentence … Option1: … Option2: …' in it");
            }
            sentence = m.group(1);
            o1 = m.group(2);
            o2 = m.group(3);
            answer = oneOrTwo(
                    file, row, "answer", DataFiles.text(file, row, "answer").replace("option", ""));
        } else {
            throw new DataFormatException(
                    file,
                    row.line(),
                    null,
                    "not a WinoGrande row: needs sentence/option1/option2/answer, context_options/continuation/gold, or instruction/answer");
        }
        String body = "Sentence: " + sentence.strip() + "\nWhich option fills the blank _?\nA. " + o1.strip() + "\nB. "
                + o2.strip() + "\nAnswer:";
        return new Item(id, "", body, List.of(o1, o2), List.of(" A", " B"), answer - 1, sentence.strip());
    }

    private static int oneOrTwo(Path file, DataFiles.Row row, String field, String v) {
        return switch (v.trim()) {
            case "1" -> 1;
            case "2" -> 2;
            default -> throw new DataFormatException(file, row.line(), field, "'" + v + "' is not 1 or 2");
        };
    }
}
