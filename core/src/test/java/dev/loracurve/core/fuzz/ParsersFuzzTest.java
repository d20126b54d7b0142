package dev.loracurve.core.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.loracurve.core.curve.CurveFolder;
import dev.loracurve.core.lora.PeftAdapter;
import dev.loracurve.core.model.ModelConfig;
import dev.loracurve.core.model.TextTokenizer;
import dev.loracurve.core.store.CheckpointException;
import dev.loracurve.core.store.JsonFiles;
import dev.loracurve.core.store.SafetensorsFile;
import dev.loracurve.core.tasks.DataFormatException;
import dev.loracurve.core.tasks.Task;
import dev.loracurve.core.testing.TinyModels;
import dev.loracurve.core.testing.TinyWorld;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzz tests of every parser of outside input in core (Jazzer). The only outcome
 * allowed for any input is a result or a clear error: IllegalArgumentException (InvalidConfig…,
 * DataFormat…) or CheckpointException, each naming its file or field. Anything else (a
 * NullPointerException, an index out of bounds, an OutOfMemoryError, a hang) is a finding.
 *
 * <p>In the default test run each target replays its seeds and findings
 * (src/test/resources/dev/loracurve/core/fuzz/ParsersFuzzTestInputs/TARGET/); {@code scripts/fuzz.sh
 * TARGET SECONDS} fuzzes one.
 */
class ParsersFuzzTest {
    private static final Path DIR = tempDir();
    private static final Path WORLD = world();
    private static final List<Task> TASKS = new ArrayList<>(Task.registry().values());

    private static Path tempDir() {
        try {
            Path d = Files.createTempDirectory("loracurve-fuzz");
            d.toFile().deleteOnExit();
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path world() {
        try {
            return TinyWorld.write(DIR.resolve("world"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path write(String name, byte[] bytes) {
        try {
            Path f = DIR.resolve(name);
            Files.createDirectories(f.getParent());
            Files.write(f, bytes);
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A clear error is the expected outcome for a bad input. */
    private static boolean expected(RuntimeException e) {
        return e instanceof IllegalArgumentException || e instanceof CheckpointException;
    }

    @FuzzTest(maxDuration = "2h")
    void safetensors(byte[] bytes) {
        Path f = write("w.safetensors", bytes);
        try (SafetensorsFile s = SafetensorsFile.open(f)) {
            for (String name : s.tensors().keySet()) {
                if (s.info(name).elementCount() < 1 << 20
                        && s.info(name).dtype().isReadableAsFloat()) {
                    s.readFloats(name);
                }
            }
        } catch (RuntimeException e) {
            if (!expected(e)) {
                throw e;
            }
        }
    }

    @FuzzTest(maxDuration = "2h")
    void modelConfigJson(byte[] bytes) {
        Path dir = DIR.resolve("model");
        write("model/config.json", bytes);
        try {
            ModelConfig c = ModelConfig.load(dir);
            c.tensorShapes();
        } catch (RuntimeException e) {
            if (!expected(e)) {
                throw e;
            }
        }
    }

    @FuzzTest(maxDuration = "2h")
    void adapterConfigJson(byte[] bytes) {
        write("adapter/" + PeftAdapter.CONFIG, bytes);
        try {
            PeftAdapter.readConfig(DIR.resolve("adapter"));
        } catch (RuntimeException e) {
            if (!expected(e)) {
                throw e;
            }
        }
    }

    @FuzzTest(maxDuration = "2h")
    void curveJson(byte[] bytes) {
        write("curve/" + CurveFolder.FILE, bytes);
        try {
            CurveFolder.read(DIR.resolve("curve"), TinyModels.qwen2());
        } catch (RuntimeException e) {
            if (!expected(e)) {
                throw e;
            }
        }
    }

    @FuzzTest(maxDuration = "2h")
    void benchmarkFiles(FuzzedDataProvider data) {
        Task task = TASKS.get(data.consumeInt(0, TASKS.size() - 1));
        String ext = data.pickValue(new String[] {".jsonl", ".json", ".tsv", ".csv", ".txt"});
        Path f = write("data/test" + ext, data.consumeRemainingAsBytes());
        try {
            task.load(f).forEach(item -> item.prompt().length());
        } catch (RuntimeException e) {
            if (!(e instanceof DataFormatException) && !expected(e)) {
                throw e;
            }
        }
    }

    @FuzzTest(maxDuration = "2h")
    void tokenizerOnAnyText(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        try (TextTokenizer tok = TextTokenizer.load(WORLD)) {
            long[] ids = tok.encode(text);
            tok.decode(ids);
        }
    }

    @FuzzTest(maxDuration = "2h")
    void anyJson(byte[] bytes) {
        try {
            JsonFiles.parse(new String(bytes, StandardCharsets.UTF_8), "fuzz");
        } catch (IllegalArgumentException e) {
            // the expected outcome for bad JSON
        }
    }
}
