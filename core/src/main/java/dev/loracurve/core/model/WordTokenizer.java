package dev.loracurve.core.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loracurve.core.store.AtomicFiles;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a Hugging Face {@code tokenizer.json} (WordLevel model, whitespace-and-punctuation
 * pre-tokenizer) and {@code tokenizer_config.json} for a closed vocabulary: what a model the
 * project generates itself needs, loadable by DJL's tokenizer like any Hub tokenizer.
 * Ids: 0 {@code <unk>}, 1 {@code <s>} (BOS), 2 {@code </s>}, then the words in the order given.
 */
public final class WordTokenizer {
    /** How Hugging Face's Whitespace pre-tokenizer splits text: the vocabulary is these pieces. */
    private static final Pattern PIECES = Pattern.compile("\\w+|[^\\w\\s]+");

    private WordTokenizer() {}

    /** The pieces of {@code text} the tokenizer sees, in order, each once, added to {@code words}. */
    public static void addPieces(String text, Collection<String> words) {
        Matcher m = PIECES.matcher(text);
        while (m.find()) {
            words.add(m.group());
        }
    }

    /** Writes both files into {@code modelDir}; returns the vocabulary size. */
    public static int write(Path modelDir, Collection<String> words) {
        ObjectMapper json = new ObjectMapper();
        Set<String> vocab = new LinkedHashSet<>(List.of("<unk>", "<s>", "</s>"));
        vocab.addAll(words);
        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        String[] specials = {"<unk>", "<s>", "</s>"};
        for (int i = 0; i < specials.length; i++) {
            added.addObject()
                    .put("id", i)
                    .put("content", specials[i])
                    .put("single_word", false)
                    .put("lstrip", false)
                    .put("rstrip", false)
                    .put("normalized", false)
                    .put("special", true);
        }
        root.putNull("normalizer");
        root.putObject("pre_tokenizer").put("type", "Whitespace");
        root.putNull("post_processor");
        root.putObject("decoder").put("type", "WordPiece").put("prefix", "##").put("cleanup", false);
        ObjectNode model = root.putObject("model");
        model.put("type", "WordLevel");
        model.put("unk_token", "<unk>");
        ObjectNode v = model.putObject("vocab");
        int id = 0;
        for (String w : vocab) {
            v.put(w, id++);
        }
        AtomicFiles.writeString(modelDir.resolve("tokenizer.json"), root.toString());
        AtomicFiles.writeString(
                modelDir.resolve("tokenizer_config.json"),
                "{\"add_bos_token\": true, \"bos_token\": \"<s>\", \"eos_token\": \"</s>\", \"unk_token\": \"<unk>\"}");
        return vocab.size();
    }
}
