package dev.loracurve.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Self times from a Chrome trace: a call's duration less its nested calls, per thread. */
class OpProfileTest {
    @TempDir
    Path dir;

    @Test
    void selfTimesSubtractNestedCallsAndTheRestIsOutsideOperators() throws Exception {
        // thread 1: linear [0, 100) holds mm [10, 70) and copy_ [75, 90); mm [120, 150) alone.
        // thread 2: mm [0, 40), overlapping thread 1's calls in time but not nested in them.
        Path trace = Files.writeString(dir.resolve("t.json"), """
                {"traceEvents": [
                  {"name": "aten::linear", "ph": "X", "ts": 0, "dur": 100, "tid": 1},
                  {"name": "aten::mm", "ph": "X", "ts": 10, "dur": 60, "tid": 1},
                  {"name": "aten::copy_", "ph": "X", "ts": 75, "dur": 15, "tid": 1},
                  {"name": "aten::mm", "ph": "X", "ts": 120, "dur": 30, "tid": 1},
                  {"name": "aten::mm", "ph": "X", "ts": 0, "dur": 40, "tid": 2},
                  {"name": "process", "ph": "M", "ts": 0, "tid": 1}
                ]}
                """);
        List<String> lines = OpProfile.summarize(trace, 250e-6, 10); // 250 µs of wall time
        assertEquals("aten::mm 3 0.13 52.0%", squeeze(lines.get(1)), "60 + 30 + 40 µs");
        assertEquals("aten::linear 1 0.03 10.0%", squeeze(lines.get(2)), "100 - 60 - 15 µs");
        assertEquals("aten::copy_ 1 0.02 6.0%", squeeze(lines.get(3)), "15 µs, in ms to two places");
        assertEquals("all operators 5 0.17 68.0%", squeeze(lines.get(4)), "top level: 100 + 30 + 40 µs");
        assertEquals("outside operators (JNI, DJL, Java) 0.08 32.0%", squeeze(lines.get(5)));
        assertTrue(lines.get(0).contains("self time"));
    }

    private static String squeeze(String line) {
        return line.trim().replaceAll("\\s+", " ");
    }
}
