package dev.loracurve.core.tasks;

import dev.loracurve.core.model.TextTokenizer;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Tokenises items the way lm-evaluation-harness scores multiple choice: each cue is tokenised in
 * context (prompt + cue), never alone, because SentencePiece adds a prefix space to a lone string
 * and small vocabularies split " A", " C", " D" into a bare space and a letter. The shared prefix is
 * where the choices' tokenisations of the whole text part from the prompt's.
 */
public final class PromptEncoder {
    private final TextTokenizer tokenizer;
    private final int maxLength;

    /** @param maxLength longest packed row; longer items lose words from the left of the passage */
    public PromptEncoder(TextTokenizer tokenizer, int maxLength) {
        if (maxLength < 8) {
            throw new IllegalArgumentException("max length must be at least 8 tokens, got " + maxLength);
        }
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
    }

    public List<Example> encode(List<Item> items) {
        return items.stream().map(this::encode).toList();
    }

    public Example encode(Item item) {
        Example full = encode(item, item.passage());
        if (full.packedLength() <= maxLength) {
            return full;
        }
        // Cut whole words from the left of the passage: binary search for the fewest that fit.
        int[] starts = wordStarts(item.passage());
        int lo = 1;
        int hi = starts.length; // hi = starts.length drops the whole passage
        Example best = null;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            String cut = mid == starts.length ? "" : item.passage().substring(starts[mid]);
            Example e = encode(item, cut);
            if (e.packedLength() <= maxLength) {
                best = e;
                hi = mid - 1;
            } else {
                lo = mid + 1;
            }
        }
        if (best == null) {
            throw new IllegalArgumentException("item " + item.id() + ": question, choices and cue alone take "
                    + encode(item, "").packedLength() + " tokens, more than the maximum length " + maxLength);
        }
        return best;
    }

    private Example encode(Item item, String passage) {
        String prompt = passage + item.body();
        long[] context = tokenizer.encode(prompt);
        List<String> cues = item.cues();
        long[][] whole = new long[cues.size()][];
        int shared = context.length;
        for (int c = 0; c < whole.length; c++) {
            whole[c] = tokenizer.encode(prompt + cues.get(c));
            shared = Math.min(shared, commonPrefix(context, whole[c]));
        }
        if (shared == 0) {
            throw new IllegalArgumentException("item " + item.id() + ": the prompt shares no token with prompt + cue");
        }
        long[][] continuations = new long[whole.length][];
        for (int c = 0; c < whole.length; c++) {
            continuations[c] = Arrays.copyOfRange(whole[c], shared, whole[c].length);
            if (continuations[c].length == 0) {
                throw new IllegalArgumentException(
                        "item " + item.id() + ": cue '" + cues.get(c) + "' adds no token to the prompt");
            }
            for (int o = 0; o < c; o++) {
                if (Arrays.equals(continuations[o], continuations[c])) {
                    throw new IllegalArgumentException("item " + item.id() + ": choices '" + cues.get(o) + "' and '"
                            + cues.get(c) + "' tokenise identically after the prompt: they cannot be told apart");
                }
            }
        }
        return new Example(
                item.id(),
                Arrays.copyOf(context, shared),
                continuations,
                item.label(),
                passage.length() < item.passage().length());
    }

    private static int commonPrefix(long[] a, long[] b) {
        int n = 0;
        while (n < a.length && n < b.length && a[n] == b[n]) {
            n++;
        }
        return n;
    }

    private static int[] wordStarts(String s) {
        return IntStream.range(0, s.length())
                .filter(i ->
                        !Character.isWhitespace(s.charAt(i)) && (i == 0 || Character.isWhitespace(s.charAt(i - 1))))
                .toArray();
    }
}
