package dev.loracurve.core.store;

import java.nio.file.Path;

/**
 * A checkpoint on disk is unreadable or does not fit the model: the message names the file, the
 * tensor (when one is at fault) and what is wrong. Callers branch on this type, never on the text.
 */
public class CheckpointException extends RuntimeException {
    private final Path file;
    private final String tensor;

    public CheckpointException(Path file, String tensor, String problem) {
        this(file, tensor, problem, null);
    }

    public CheckpointException(Path file, String tensor, String problem, Throwable cause) {
        super(format(file, tensor, problem), cause);
        this.file = file;
        this.tensor = tensor;
    }

    /** The file at fault, or null when the problem is not tied to one file. */
    public Path file() {
        return file;
    }

    /** The tensor at fault, or null. */
    public String tensor() {
        return tensor;
    }

    private static String format(Path file, String tensor, String problem) {
        StringBuilder sb = new StringBuilder();
        if (file != null) {
            sb.append(file).append(": ");
        }
        if (tensor != null) {
            sb.append("tensor '").append(tensor).append("': ");
        }
        return sb.append(problem).toString();
    }
}
