package dev.loracurve.core.store;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Direct and memory-mapped buffers released at once instead of at the next garbage collection.
 * The JVM frees a direct buffer (or unmaps a file) only when the GC finds its wrapper
 * unreachable, and a young collection may be hundreds of MiB of garbage away: every array handed
 * to libtorch and every weight read through a mapping stayed resident until then (on the 30M
 * benchmark model that was most of the peak memory beyond weights and activations).
 *
 * <p>Java 17 has no public API for it; {@code sun.misc.Unsafe.invokeCleaner} (module
 * jdk.unsupported, reached by reflection because the static checks forbid sun.* imports) is the
 * standard way until the foreign-memory API. A released buffer must never be touched again.
 */
public final class DirectBuffers {
    private static final Object UNSAFE;
    private static final Method INVOKE_CLEANER;

    static {
        Object unsafe = null;
        Method clean = null;
        try {
            Class<?> c = Class.forName("sun.misc.Unsafe");
            Field f = c.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            unsafe = f.get(null);
            clean = c.getMethod("invokeCleaner", ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // without it buffers are freed by the GC, as before: slower to return memory, still correct
        }
        UNSAFE = unsafe;
        INVOKE_CLEANER = clean;
    }

    private DirectBuffers() {}

    /** A zeroed direct buffer in native byte order, to be {@linkplain #release released}. */
    public static ByteBuffer allocate(long bytes) {
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(bytes + " bytes exceed one direct buffer");
        }
        return ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
    }

    /**
     * Frees a direct buffer's memory (unmaps a mapped one) now. The buffer must be the one
     * allocated or mapped, not a slice or duplicate of it; heap buffers are ignored.
     */
    public static void release(ByteBuffer buffer) {
        if (buffer == null || !buffer.isDirect() || INVOKE_CLEANER == null) {
            return;
        }
        try {
            INVOKE_CLEANER.invoke(UNSAFE, buffer);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot release a direct buffer", e);
        }
    }
}
