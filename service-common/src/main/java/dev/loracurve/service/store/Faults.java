package dev.loracurve.service.store;

/**
 * Fault injection for the fault tests, off unless {@code LORACURVE_FAULT_UPLOAD_PAUSE_MS} is set:
 * then every object upload of a folder artifact is followed by that pause, so that a test can kill
 * a stage in the middle of an upload.
 */
final class Faults {
    private static final long UPLOAD_PAUSE_MS = parse(System.getenv("LORACURVE_FAULT_UPLOAD_PAUSE_MS"));

    private Faults() {}

    static void afterUpload(String objectKey) {
        if (UPLOAD_PAUSE_MS > 0) {
            try {
                Thread.sleep(UPLOAD_PAUSE_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static long parse(String v) {
        return v == null || v.isBlank() ? 0 : Long.parseLong(v.trim());
    }
}
