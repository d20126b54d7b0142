package dev.loracurve.core.tasks;

import java.util.Arrays;
import java.util.Objects;

/**
 * A tokenised item: the shared prefix and, per choice, the tokens that continue it.
 *
 * @param prefix        token ids of the prompt up to where the choices' tokenisations part
 * @param continuations per choice, the ids that follow the prefix (at least one each)
 * @param truncated     whether the passage was cut to fit the maximum length
 */
public record Example(String id, long[] prefix, long[][] continuations, int label, boolean truncated) {

    public int choiceCount() {
        return continuations.length;
    }

    /** Length of the packed row: the prefix, then each continuation but its last token. */
    public int packedLength() {
        int n = prefix.length;
        for (long[] c : continuations) {
            n += c.length - 1;
        }
        return n;
    }

    /** Every continuation is one token: the classes are read off the last prefix position. */
    public boolean singleToken() {
        for (long[] c : continuations) {
            if (c.length != 1) {
                return false;
            }
        }
        return true;
    }

    /** Equal when every token is: a record compares arrays by identity, items by content. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Example e
                && id.equals(e.id)
                && label == e.label
                && truncated == e.truncated
                && Arrays.equals(prefix, e.prefix)
                && Arrays.deepEquals(continuations, e.continuations);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, label, truncated, Arrays.hashCode(prefix), Arrays.deepHashCode(continuations));
    }

    @Override
    public String toString() {
        return "Example[" + id + ", prefix " + Arrays.toString(prefix) + ", continuations "
                + Arrays.deepToString(continuations) + ", label " + label + (truncated ? ", truncated]" : "]");
    }
}
