package dev.loracurve.core.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loracurve.core.store.JsonFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** Finding a split's file in a folder, and reading JSON lines with their line numbers. */
public final class DataFiles {
    private static final List<String> DATA_EXTENSIONS = List.of(".jsonl", ".json", ".tsv", ".csv", ".txt");

    private DataFiles() {}

    /** A JSON object with the line it came from. */
    public record Row(long line, JsonNode json) {}

    /**
     * The file for a split. Names are matched as words: train; validation, dev or val; test; any
     * other split by its name.
     * Exactly one data file must match.
     */
    public static Path resolve(Path data, String split) {
        if (!Files.isDirectory(data)) {
            if (!Files.exists(data)) {
                throw new IllegalArgumentException("data " + data + " does not exist");
            }
            return data;
        }
        List<String> aliases = switch (split.toLowerCase(Locale.ROOT)) {
            case "train" -> List.of("train");
            case "validation", "dev", "val" -> List.of("validation", "dev", "val");
            case "test" -> List.of("test");
            default -> List.of(split.toLowerCase(Locale.ROOT)); // any other split by its own name, e.g. ood
        };
        List<Path> matches = new ArrayList<>();
        try (Stream<Path> files = Files.list(data)) {
            files.filter(Files::isRegularFile).sorted().forEach(f -> {
                String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
                boolean dataFile = DATA_EXTENSIONS.stream().anyMatch(name::endsWith)
                        && !name.startsWith("provenance")
                        && !name.startsWith("classes");
                String[] words = name.replaceAll("\\.[a-z]+$", "").split("[^a-z0-9]+");
                if (dataFile && Stream.of(words).anyMatch(aliases::contains)) {
                    matches.add(f);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (matches.isEmpty()) {
            throw new IllegalArgumentException("data " + data + ": no file for split '" + split
                    + "' (looked for names with " + String.join("/", aliases) + ")");
        }
        if (matches.size() > 1) {
            throw new IllegalArgumentException(
                    "data " + data + ": several files for split '" + split + "': " + matches + "; keep one");
        }
        return matches.get(0);
    }

    /** JSON lines (blank lines skipped), or the elements of one JSON array. */
    public static List<Row> jsonRows(Path file) {
        String text = read(file);
        List<Row> rows = new ArrayList<>();
        if (text.stripLeading().startsWith("[")) {
            JsonNode arr;
            try {
                arr = JsonFiles.parse(text, "");
            } catch (IllegalArgumentException e) {
                throw new DataFormatException(file, 0, null, e.getMessage());
            }
            for (int i = 0; i < arr.size(); i++) {
                rows.add(new Row(i + 1, arr.get(i))); // element number: the array has no useful line
            }
            return rows;
        }
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            try {
                rows.add(new Row(i + 1, JsonFiles.parse(lines[i], "")));
            } catch (IllegalArgumentException e) {
                throw new DataFormatException(file, i + 1, null, e.getMessage());
            }
        }
        return rows;
    }

    public static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new DataFormatException(file, 0, null, "not UTF-8 text");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** A required text field of a JSON row. */
    static String text(Path file, Row row, String field) {
        JsonNode v = row.json().path(field);
        if (!v.isValueNode() || v.isNull() || v.asText().isEmpty()) {
            throw new DataFormatException(file, row.line(), field, "missing or empty");
        }
        return v.asText();
    }
}
