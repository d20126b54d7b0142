package dev.loracurve.service.store;

import dev.loracurve.core.store.AtomicFiles;
import dev.loracurve.core.store.CheckpointException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A folder artifact's {@code .manifest} in an object store: one line per file, its path relative
 * to the folder and its sha256, in path order; written after the files, so that a folder without
 * it does not exist for readers.
 */
record Manifest(List<Entry> entries) {
    static final String NAME = ".manifest";

    /** One file: its relative path (a checked store key) and sha256. */
    record Entry(String path, String sha256) {}

    static Manifest parse(byte[] bytes) {
        List<Entry> out = new ArrayList<>();
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isEmpty()) {
                int space = line.lastIndexOf(' ');
                out.add(new Entry(Store.checkKey(line.substring(0, space)), line.substring(space + 1)));
            }
        }
        return new Manifest(out);
    }

    byte[] bytes() {
        StringBuilder sb = new StringBuilder();
        entries.forEach(e -> sb.append(e.path()).append(' ').append(e.sha256()).append('\n'));
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The regular files under {@code dir} in path order, leaving out half-written temporary files. */
    static List<Path> files(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().startsWith(AtomicFiles.TEMP_PREFIX))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    static byte[] readAll(Path f) {
        try {
            return Files.readAllBytes(f);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        }
    }

    /** CheckpointException unless the bytes read have the digest they were announced with. */
    static void checkDigest(String what, String actual, String expected) {
        if (!actual.equals(expected)) {
            throw new CheckpointException(
                    null,
                    null,
                    what + ": sha256 " + actual + " differs from the announced " + expected
                            + ": the artifact changed or is corrupt");
        }
    }
}
