package dev.loracurve.core.store;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reading JSON from files of outside origin (configs, adapters, curves, benchmark lines). A file
 * that does not parse is named with the place and kind of the fault, never with its content:
 * the parser's own message quotes the offending token, and a message goes back to clients.
 */
public final class JsonFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonFiles() {}

    /** The JSON of a file; IllegalArgumentException naming the file and the place when it does not parse. */
    public static JsonNode read(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(file + ": not UTF-8 text, JSON expected");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** The JSON of {@code text}; {@code where} names its origin in the error ("train.jsonl:12"; "" for none). */
    public static JsonNode parse(String text, String where) {
        try {
            JsonNode n = JSON.readTree(text);
            if (n == null || n.isMissingNode()) {
                throw new IllegalArgumentException(where + ": empty, JSON expected");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where.isEmpty() ? describe(e) : where + ": " + describe(e));
        }
    }

    /** Where and what kind of fault, without the offending text. */
    public static String describe(JsonProcessingException e) {
        String kind = e instanceof JsonEOFException
                ? "JSON ends early"
                : e instanceof JsonParseException
                        ? "malformed JSON"
                        : e instanceof MismatchedInputException ? "unexpected JSON structure" : "unreadable JSON";
        JsonLocation at = e.getLocation();
        return at == null || at.getLineNr() < 0
                ? kind
                : kind + " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    }
}
