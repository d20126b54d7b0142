package dev.loracurve.core.tasks;

import java.nio.file.Path;

/** A benchmark file that cannot be read as its task: names the file, the line and the field. */
public class DataFormatException extends RuntimeException {
    public DataFormatException(Path file, long line, String field, String problem) {
        super(file + (line > 0 ? ":" + line : "") + (field != null ? ": field '" + field + "'" : "") + ": " + problem);
    }
}
