package dev.loracurve.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Memory fields of a Linux process's {@code /proc/PID/status} (VmRSS: now, VmHWM: the peak, RssFile: mapped files). */
public final class ProcStatus {
    private ProcStatus() {}

    /** A field of this process's status in MiB; 0 where there is no /proc. */
    public static long selfMib(String field) {
        long kib = kib("self", field);
        return kib < 0 ? 0 : kib / 1024;
    }

    /** A field of process {@code pid}'s status in bytes; -1 where there is no /proc or the process ended. */
    public static long bytes(long pid, String field) {
        long kib = kib(String.valueOf(pid), field);
        return kib < 0 ? -1 : kib * 1024;
    }

    /** The value of {@code field} (e.g. "VmRSS:") in {@code text}, a status file's content, in kiB; -1 when absent. */
    static long parseKib(String text, String field) {
        for (String line : text.split("\n")) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.substring(field.length()).replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static long kib(String pid, String field) {
        try {
            return parseKib(Files.readString(Path.of("/proc", pid, "status")), field);
        } catch (IOException | NumberFormatException e) {
            return -1; // not Linux, or the process just ended
        }
    }

    /** Restarts this process's VmHWM high-water mark at the current resident size (Linux; else nothing). */
    public static void resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | RuntimeException e) {
            // peaks then cover the whole run so far
        }
    }
}
