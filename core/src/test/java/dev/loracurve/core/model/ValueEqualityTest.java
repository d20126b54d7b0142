package dev.loracurve.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loracurve.core.tasks.Example;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Token batches and encoded items compare by content, as values: a set of items holds each once. */
class ValueEqualityTest {
    @Test
    void examplesWithTheSameTokensAreEqual() {
        Example a = new Example("q1", new long[] {5, 6}, new long[][] {{7}, {8, 9}}, 1, false);
        Example b = new Example("q1", new long[] {5, 6}, new long[][] {{7}, {8, 9}}, 1, false);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertTrue(Set.of(a).contains(b));
        assertNotEquals(a, new Example("q1", new long[] {5, 6}, new long[][] {{7}, {8, 10}}, 1, false));
        assertNotEquals(a, new Example("q1", new long[] {5, 6}, new long[][] {{7}, {8, 9}}, 0, false));
        assertTrue(a.toString().contains("[[7], [8, 9]]"), a.toString());
    }

    @Test
    void batchesWithTheSameRowsAreEqualAndPackingIsPartOfTheValue() {
        TokenBatch plain = TokenBatch.of(List.of(new long[] {1, 2, 3}, new long[] {4}));
        assertEquals(plain, TokenBatch.of(List.of(new long[] {1, 2, 3}, new long[] {4})));
        assertEquals(
                plain.hashCode(),
                TokenBatch.of(List.of(new long[] {1, 2, 3}, new long[] {4})).hashCode());
        assertNotEquals(plain, TokenBatch.of(List.of(new long[] {1, 2, 3}, new long[] {5})));
        TokenBatch packed = TokenBatch.packed(
                List.of(new long[] {1, 2, 3}, new long[] {4}),
                List.of(new long[] {0, 1, 1}, new long[] {0}),
                List.of(new int[] {0, 1, 2}, new int[] {0}));
        assertTrue(packed.packed());
        assertFalse(plain.packed());
        assertNotEquals(plain, packed);
    }
}
