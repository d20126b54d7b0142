package dev.loracurve.core.train;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Which items a micro-batch holds: epoch e visits the items in a permutation drawn from (seed, e),
 * and a micro-batch is a window of the global sample index. A pure function of seed and position,
 * so resuming needs no saved RNG state.
 */
public final class DataOrder<T> {
    private final List<T> items;
    private final long seed;
    private long cachedEpoch = -1;
    private int[] cachedPermutation;

    public DataOrder(List<T> items, long seed) {
        if (items.isEmpty()) {
            throw new IllegalArgumentException("no training items");
        }
        this.items = items;
        this.seed = seed;
    }

    /** The {@code size} items starting at global sample index {@code sample}. */
    public List<T> batch(long sample, int size) {
        List<T> out = new ArrayList<>(size);
        int n = items.size();
        for (long k = sample; k < sample + size; k++) {
            if (k / n != cachedEpoch) {
                cachedEpoch = k / n;
                cachedPermutation = permutation(n, Seeds.mix(seed, 0x3, cachedEpoch));
            }
            out.add(items.get(cachedPermutation[(int) (k % n)]));
        }
        return out;
    }

    static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) { // Fisher–Yates
            int j = rng.nextInt(i + 1);
            int tmp = p[i];
            p[i] = p[j];
            p[j] = tmp;
        }
        return p;
    }
}
