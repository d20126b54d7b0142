package dev.loracurve.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loracurve.core.curve.CurveFolder;
import dev.loracurve.core.curve.PathProfile;
import dev.loracurve.core.engine.Engines;
import dev.loracurve.core.model.Decoder;
import dev.loracurve.core.model.TextTokenizer;
import dev.loracurve.core.store.AtomicFiles;
import dev.loracurve.core.tasks.Example;
import dev.loracurve.core.tasks.PromptEncoder;
import dev.loracurve.core.tasks.TaskData;
import dev.loracurve.report.Charts;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Loss and accuracy along a curve and along the straight path through the same anchors. */
@Command(
        name = "path",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Path profile: path.json (per-t loss/accuracy, barriers, Lipschitz report) and path.png.")
final class PathCommand implements Runnable, ConfigFlags {
    @Mixin
    TaskOptions taskOptions;

    @Option(names = "--curve", required = true)
    Path curve;

    @Option(names = "--out", required = true)
    Path out;

    @Option(names = "--grid", defaultValue = "61")
    int grid;

    @Option(names = "--train-split", defaultValue = "train")
    String trainSplit;

    @Option(names = "--test-split", defaultValue = "test")
    String testSplit;

    @Option(
            names = "--train-limit",
            defaultValue = "1000",
            description = "train items used (0 = all; default ${DEFAULT-VALUE})")
    int trainLimit;

    @Option(names = "--test-limit", defaultValue = "0")
    int testLimit;

    @Option(
            names = "--gradient-limit",
            defaultValue = "256",
            description =
                    "train items for the gradient norm G of the Lipschitz bound (0 = all; default ${DEFAULT-VALUE})")
    int gradientLimit;

    @Option(names = "--batch-size", defaultValue = "8", description = "items per chunk; 8 grid points run together")
    int batchSize;

    @Override
    public Map<String, String> flags() {
        Map<String, String> f = new HashMap<>(Map.of(
                "pathGrid", "--grid",
                "batchSize", "--batch-size",
                "trainSplit.name", "--train-split",
                "trainSplit.limit", "--train-limit",
                "testSplit.name", "--test-split",
                "testSplit.limit", "--test-limit"));
        f.putAll(TaskOptions.FLAGS);
        return f;
    }

    @Override
    public void run() {
        try (NDManager m = Engines.newManager();
                Decoder decoder = Decoder.load(taskOptions.model, m);
                TextTokenizer tok = TextTokenizer.load(taskOptions.model)) {
            CurveFolder folder = CurveFolder.read(curve, decoder.config());
            PromptEncoder enc = new PromptEncoder(tok, taskOptions.maxLength);
            TaskData splits = taskOptions
                    .data()
                    .train(trainSplit, trainLimit)
                    .validation("none", 0)
                    .test(testSplit, testLimit)
                    .build();
            List<Example> train = enc.encode(splits.train());
            List<Example> test = enc.encode(splits.test());
            ObjectNode profile;
            try (ProgressBar bar = Progress.bar("path", grid)) {
                profile = PathProfile.compute(
                        decoder, m, folder, train, test, grid, batchSize, gradientLimit, bar::stepTo);
            }
            profile.put("task", taskOptions.task);
            AtomicFiles.writeString(out.resolve("path.json"), profile.toPrettyString());
            Charts.pathPlot(profile, out.resolve("path.png"));
            print(profile);
        }
    }

    static void print(JsonNode profile) {
        System.out.println("segment  path   split  frankle  interpolation");
        for (JsonNode s : profile.get("segments_barriers")) {
            for (String path : List.of("line", "curve")) {
                for (String split : List.of("train", "test")) {
                    JsonNode b = s.get(path).get(split);
                    System.out.printf(
                            "%7d  %-5s  %-5s  %7.4f  %13.4f%n",
                            s.get("segment").asInt(),
                            path,
                            split,
                            b.get("frankle").asDouble(),
                            b.get("interpolation").asDouble());
                }
            }
        }
        JsonNode l = profile.get("lipschitz");
        System.out.printf(
                "Lipschitz: empirical %.4f (train), %.4f (test); bound G·S·n·max||ΔP|| = %.4f · %.4f = %.4f%n",
                l.get("empirical_train").asDouble(),
                l.get("empirical_test").asDouble(),
                l.get("max_gradient_norm").asDouble(),
                l.get("speed_bound").asDouble(),
                l.get("bound").asDouble());
    }
}
