package dev.loracurve.core.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;

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

    private static void configure() {
        // DJL reads these once, when the engine loads: set them before the first Engine call.
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
        setIfAbsent("ai.djl.pytorch.num_threads", String.valueOf(threads()));
        setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
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

    /** Seeds libtorch's generator (dropout masks, random draws made by the engine). */
    public static void seed(long seed) {
        pytorch().setRandomSeed((int) (seed ^ (seed >>> 32)));
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
