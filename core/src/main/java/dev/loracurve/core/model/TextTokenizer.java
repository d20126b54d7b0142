package dev.loracurve.core.model;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.loracurve.core.engine.Engines;
import dev.loracurve.core.store.JsonFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model folder's {@code tokenizer.json} through DJL's Hugging Face tokenizer, with truncation
 * off (DJL cuts at 512 ids by default) and BOS added only as {@code tokenizer_config.json} says:
 * Llama-style tokenizers add it, Qwen's do not.
 */
public final class TextTokenizer implements AutoCloseable {
    private final HuggingFaceTokenizer hf;
    private final long bosId; // -1: none is added

    private TextTokenizer(HuggingFaceTokenizer hf, long bosId) {
        this.hf = hf;
        this.bosId = bosId;
    }

    public static TextTokenizer load(Path modelDir) {
        Engines.pytorch(); // offline settings first
        Path json = modelDir.resolve("tokenizer.json");
        try {
            HuggingFaceTokenizer hf = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(json)
                    .optAddSpecialTokens(false)
                    .optTruncation(false)
                    .optPadding(false)
                    .build();
            long bos = -1;
            Path cfgPath = modelDir.resolve("tokenizer_config.json");
            if (Files.exists(cfgPath)) {
                JsonNode cfg = JsonFiles.read(cfgPath);
                if (cfg.path("add_bos_token").asBoolean(false)) {
                    JsonNode tok = cfg.path("bos_token");
                    String text = tok.isObject() ? tok.path("content").asText() : tok.asText();
                    long[] ids = hf.encode(text, false, false).getIds();
                    if (text.isEmpty() || ids.length != 1) {
                        throw new IllegalArgumentException(
                                cfgPath + ": bos_token '" + text + "' is not a single token of " + json);
                    }
                    bos = ids[0];
                }
            }
            return new TextTokenizer(hf, bos);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load tokenizer " + json, e);
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException named
                    && named.getMessage().startsWith(modelDir.toString())) {
                throw named;
            }
            // the tokenizers library's own message may quote the file: name the file and the kind only
            throw new IllegalArgumentException(json + ": not a tokenizer.json the tokenizers library reads ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /** Token ids of {@code text}, BOS first when the tokenizer adds one. Never truncated. */
    public long[] encode(String text) {
        long[] ids = hf.encode(text, false, false).getIds();
        if (bosId < 0) {
            return ids;
        }
        long[] out = new long[ids.length + 1];
        out[0] = bosId;
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    /** Ids without BOS: for text that continues a prompt. */
    public long[] encodeContinuation(String text) {
        return hf.encode(text, false, false).getIds();
    }

    public String decode(long[] ids) {
        return hf.decode(ids, false);
    }

    public boolean addsBos() {
        return bosId >= 0;
    }

    @Override
    public void close() {
        hf.close();
    }
}
