package dev.loracurve.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.loracurve.cli.study.StudyFile;
import dev.loracurve.core.eval.EvalMethod;
import dev.loracurve.core.store.AtomicFiles;
import dev.loracurve.core.store.JsonFiles;
import dev.loracurve.core.store.Sha256;
import dev.loracurve.core.train.OptimaJob;
import dev.loracurve.proto.v1.ExperimentSpec;
import dev.loracurve.proto.v1.TaskSpec;
import dev.loracurve.report.ReportPage;
import dev.loracurve.report.StudyTables;
import dev.loracurve.service.DataLocations;
import dev.loracurve.service.InvalidSpecException;
import dev.loracurve.service.SpecLimits;
import dev.loracurve.service.Specs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Runs a study's grid through the core, each stage of each cell cached by the settings it depends
 * on (optima by model, task, LoRA, K, seed and trainer; the curve by those and the curve; the
 * report by those and the eval), so ablations share the optima and a rerun resumes where it
 * stopped; then writes the tables.
 */
@Command(
        name = "study",
        mixinStandardHelpOptions = true,
        description = "Run tasks × seeds × ablations (STUDY.yaml) and write study.md, study.csv and study.html"
                + " with mean ± std over seeds; cached and resumable.")
final class StudyCommand implements Runnable {
    @Parameters(index = "0", description = "the study file")
    Path file;

    @Option(names = "--out", description = "output folder (default: the study's out, or its name beside the file)")
    Path out;

    @Option(names = "--dry-run", description = "validate every cell and list them, run nothing")
    boolean dryRun;

    @Override
    public void run() {
        StudyFile study = StudyFile.read(file);
        Path dir = (out != null ? out : study.out()).toAbsolutePath().normalize();
        Specs specs = new Specs(
                new DataLocations(List.of("/"), () -> {
                    throw new IllegalArgumentException("a study reads local files; s3:// is for the services");
                }),
                SpecLimits.DEFAULT);
        for (StudyFile.Cell cell : study.cells()) { // every cell checked before anything runs
            try {
                specs.validate(cell.spec());
            } catch (InvalidSpecException e) {
                throw new IllegalArgumentException(cell.label() + ": " + e.getMessage());
            }
        }
        System.err.printf("%s: %d cells into %s%n", study.name(), study.cells().size(), dir);
        List<StudyTables.Cell> done = new ArrayList<>();
        for (StudyFile.Cell cell : study.cells()) {
            if (dryRun) {
                System.out.println(cell.label());
                continue;
            }
            long t0 = System.nanoTime();
            JsonNode report = runCell(specs, cell, dir.resolve("cells"));
            System.err.printf("%s: done in %.0f s%n", cell.label(), (System.nanoTime() - t0) / 1e9);
            done.add(new StudyTables.Cell(cell.task(), cell.ablation(), cell.seed(), report, cell.methods()));
            write(dir, study, done); // the tables so far, readable while the rest runs
        }
        if (!dryRun) {
            System.out.print(write(dir, study, done));
            System.out.println("\ntables: " + dir.resolve("study.md") + ", study.csv, study.html");
        }
    }

    /** study.md, study.csv and study.html of the cells done; returns the Markdown. */
    private static String write(Path dir, StudyFile study, List<StudyTables.Cell> done) {
        StudyTables tables = new StudyTables(done);
        String md = "# " + study.name() + "\n\nMean ± standard deviation over seeds (and over the K optima for map,"
                + " temperature, laplace and swag); " + done.size() + " of "
                + study.cells().size() + " cells.\n"
                + tables.markdown();
        AtomicFiles.writeString(dir.resolve("study.md"), md);
        AtomicFiles.writeString(dir.resolve("study.csv"), tables.csv());
        AtomicFiles.writeString(dir.resolve("study.html"), tables.html());
        return md;
    }

    /** One cell: its optima, its curve when the eval scores one, its report; each stage skipped when cached. */
    private static JsonNode runCell(Specs specs, StudyFile.Cell cell, Path cache) {
        ExperimentSpec s = cell.spec();
        // the split scored is no input of training: cells that differ only in it share optima and curves
        TaskSpec training =
                s.getTask().toBuilder().clearTestSplit().clearTestLimit().build();
        String optimaKey = key(s.getBaseModelUri(), training, s.getLora(), s.getK(), s.getSeed(), s.getTrainer());
        Path optima = cache.resolve("optima-" + optimaKey);
        new OptimaJob(specs.model(s), specs.taskData(s), Specs.trainConfig(s), s.getK(), s.getSeed())
                .run(optima, new OptimaJob.Listener() {
                    @Override
                    public void onStep(int run, int step, int steps, double loss, double tokensPerSecond) {
                        if (step == steps) {
                            System.err.printf("  %s run-%d: %d steps, loss %.4f%n", cell.label(), run, steps, loss);
                        }
                    }
                });
        List<Path> runs = IntStream.range(0, s.getK())
                .mapToObj(i -> optima.resolve(OptimaJob.runName(i)))
                .toList();
        String evalBase = optimaKey;
        List<Path> curves = List.of();
        if (EvalMethod.CURVE.in(s.getEval().getMethodsList())) {
            evalBase = key(optimaKey, s.getCurve());
            Path curve = cache.resolve("curve-" + evalBase).resolve("curve");
            specs.curveJob(s, runs).fit(curve, (step, steps, loss, tokensPerSecond) -> {
                if (step == steps) {
                    System.err.printf("  %s curve: %d steps, loss %.4f%n", cell.label(), steps, loss);
                }
            });
            curves = List.of(curve);
        }
        Path eval = cache.resolve("eval-" + key(evalBase, s.getTask(), s.getEval()));
        if (!Files.exists(eval.resolve("report.json"))) {
            specs.evalJob(s, runs, curves)
                    .run(
                            eval,
                            (method, seconds) -> System.err.printf("  %s %s: %.0f s%n", cell.label(), method, seconds),
                            ReportPage::write);
        }
        return JsonFiles.read(eval.resolve("report.json"));
    }

    /** 12 hex digits of the SHA-256 of the parts (messages in their JSON form). */
    private static String key(Object... parts) {
        StringBuilder sb = new StringBuilder();
        for (Object p : parts) {
            try {
                sb.append(p instanceof Message m ? JsonFormat.printer().print(m) : String.valueOf(p));
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException(e);
            }
            sb.append('\n');
        }
        return Sha256.ofBytes(sb.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 12);
    }
}
