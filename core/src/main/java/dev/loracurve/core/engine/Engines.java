package dev.loracurve.core.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The one place that configures DJL's PyTorch engine: offline (DJL would otherwise download
 * natives and report usage), intra-op threads, and the device (CUDA when the loaded libtorch has
 * it, CPU otherwise). Settings come from system properties or the environment:
 * {@code LORACURVE_THREADS} (default: all cores), {@code LORACURVE_DEVICE} ({@code cpu}, {@code gpu}).
 */
public final class Engines {
    private static volatile Engine engine;

    private Engines() {}

    public static Engine pytorch() {
        Engine e = engine;
        if (e == null) {
            synchronized (Engines.class) {
                if (engine == null) {
                    configure();
                    engine = Engine.getEngine("PyTorch");
                }
                e = engine;
            }
        }
        return e;
    }

    /** libc's setenv (libtorch reads some settings from the process environment only) and glibc's mallopt. */
    private interface LibC extends Library {
        int setenv(String name, String value, int overwrite);

        int mallopt(int param, int value);
    }

    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_MMAP_THRESHOLD = -3;

    private static void configure() {
        if (Platform.isLinux()) {
            tuneMemory();
        }
        // DJL reads these once, when the engine loads: set them before the first Engine call.
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
        setIfAbsent("ai.djl.pytorch.num_threads", String.valueOf(threads()));
        setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
    }

    /**
     * Large tensors in 2 MiB transparent huge pages (libtorch's own switch, read from the
     * environment when it first allocates): in 4 KiB pages every fresh tensor costs a page fault per
     * 4 KiB on first write (a third of a 0.5B LoRA step's time on a 2-core VM). And glibc's malloc
     * keeping freed blocks up to 32 MiB for reuse instead of returning them to the kernel: with huge
     * pages alone each 2 MiB page is zeroed afresh (a 30M batched forward 1.8x slower). An explicit
     * THP_MEM_ALLOC_ENABLE wins; LORACURVE_THP=0 and LORACURVE_MALLOC=0 skip either. Speed only:
     * where libc lacks a symbol (not glibc), nothing changes.
     */
    private static void tuneMemory() {
        try {
            LibC libc = Native.load("c", LibC.class);
            if (!"0".equals(setting("loracurve.thp", "LORACURVE_THP"))) {
                libc.setenv("THP_MEM_ALLOC_ENABLE", "1", 0);
            }
            if (!"0".equals(setting("loracurve.malloc", "LORACURVE_MALLOC"))) {
                libc.mallopt(M_MMAP_THRESHOLD, 32 << 20);
                libc.mallopt(M_TRIM_THRESHOLD, 1 << 30);
            }
        } catch (LinkageError | RuntimeException e) {
            // the defaults stay: slower, never wrong
        }
    }

    /** Intra-op threads: LORACURVE_THREADS, else every core. */
    public static int threads() {
        String v = setting("loracurve.threads", "LORACURVE_THREADS");
        return v == null ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(v.trim());
    }

    /** The compute device: LORACURVE_DEVICE when set, else the first GPU when there is one. */
    public static Device device() {
        Engine e = pytorch();
        String v = setting("loracurve.device", "LORACURVE_DEVICE");
        if (v != null) {
            return Device.fromName(v.trim());
        }
        return e.getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    }

    public static NDManager newManager() {
        return pytorch().newBaseManager(device());
    }

    /**
     * {@code body} with libtorch's grad mode off on this thread, as {@code torch.no_grad()}: nothing
     * is recorded for backward, so a forward may write its intermediates in place (the Decoder does).
     * A thread's mode is its own: DJL turns it off on the thread that loads the engine only.
     */
    public static <T> T noGrad(Supplier<T> body) {
        pytorch();
        boolean was = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return body.get();
        } finally {
            JniUtils.setGradMode(was);
        }
    }

    /** Seeds libtorch's generator (dropout masks, random draws made by the engine). */
    public static void seed(long seed) {
        pytorch().setRandomSeed((int) (seed ^ (seed >>> 32)));
    }

    /**
     * Runs {@code body} under libtorch's profiler and writes its Chrome trace (one event per
     * operator call, with input shapes) to {@code trace}: where the time of a forward goes.
     */
    public static void profile(Path trace, Runnable body) {
        pytorch();
        JniUtils.startProfile(false, true, false);
        try {
            body.run();
        } finally {
            JniUtils.stopProfile(trace.toAbsolutePath().toString());
        }
    }

    private static String setting(String property, String env) {
        String v = System.getProperty(property);
        return v != null ? v : System.getenv(env);
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
