package dev.loracurve.cli.demo;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The CPU code paths the demo computes with. MKL, libtorch's own kernels and oneDNN each pick code
 * by the instruction sets of the CPU (AVX-512 here, AVX2 elsewhere), and their results differ in
 * the last bits, which 1,200 steps of pretraining grow into another table. Pinned to the x86-64
 * baseline paths and 2 threads (the launcher sets these for {@code demo}), every x86-64 machine
 * prints the same numbers; each variable must be set before libtorch loads, so a running JVM can
 * only report them.
 */
public final class Kernels {
    /** The settings, as the launcher exports them. */
    public static final Map<String, String> PINNED = pinned();

    private Kernels() {}

    private static Map<String, String> pinned() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("MKL_CBWR", "COMPATIBLE");
        m.put("ATEN_CPU_CAPABILITY", "default");
        m.put("ONEDNN_MAX_CPU_ISA", "SSE41");
        m.put("LORACURVE_THREADS", "2");
        return m;
    }

    /** Whether this process runs with exactly the pinned settings. */
    public static boolean arePinned() {
        return PINNED.entrySet().stream().allMatch(e -> e.getValue().equals(System.getenv(e.getKey())));
    }

    /** The settings in effect, for a cache key and the demo's first lines. */
    public static String describe() {
        StringBuilder sb = new StringBuilder();
        PINNED.keySet()
                .forEach(k -> sb.append(k)
                        .append('=')
                        .append(System.getenv().getOrDefault(k, ""))
                        .append(' '));
        return sb.toString().trim();
    }
}
