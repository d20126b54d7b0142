package dev.loracurve.core.train;

/** Independent seeds for each purpose and position, derived from a run's seed. */
public final class Seeds {
    private Seeds() {}

    /** A well-mixed 64-bit seed from a base seed and a tuple of parts (purpose, step, …). */
    public static long mix(long seed, long... parts) {
        long h = seed * 0x9E3779B97F4A7C15L;
        for (long p : parts) {
            h = Long.rotateLeft(h ^ (p * 0xC2B2AE3D27D4EB4FL), 31) * 0x9E3779B97F4A7C15L;
        }
        return h ^ (h >>> 29);
    }
}
