package dev.loracurve.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loracurve.core.train.Checkpoint;
import dev.loracurve.core.train.OptimaJob;
import dev.loracurve.proto.v1.Artifact;
import dev.loracurve.proto.v1.CheckpointAvailable;
import dev.loracurve.proto.v1.ExperimentSpec;
import dev.loracurve.proto.v1.ExperimentSubmitted;
import dev.loracurve.proto.v1.Job;
import dev.loracurve.service.Event;
import dev.loracurve.service.Specs;
import dev.loracurve.service.StageDescriptor;
import dev.loracurve.service.StageRuntime;
import dev.loracurve.service.Topics;
import dev.loracurve.service.quarkus.StageBean;
import dev.loracurve.service.trace.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import jakarta.enterprise.inject.Default;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.health.Readiness;

/**
 * The trainer stage: on ExperimentSubmitted, trains the experiment's K optima (the core's
 * resumable OptimaJob) and announces each with CheckpointAvailable as soon as it is written.
 */
@Singleton // one instance, built at start-up, that the endpoint calls
@Readiness
@Default // also injectable without the health qualifier
public class TrainerStage extends StageBean {
    @Override
    protected StageDescriptor descriptor() {
        return StageDescriptor.TRAINER;
    }

    @Override
    protected void onEvent(Event e) {
        if (e.is(ExperimentSubmitted.class)) {
            ExperimentSubmitted s = e.parse(ExperimentSubmitted.parser());
            train(s.getExperimentId(), s.getSpec(), s.getTeam()).join();
        }
    }

    /**
     * Queues the training of an experiment's optima (from an event or a Start call). The job works
     * in its folder of the store (a local copy for a remote store, holding the finished runs and
     * checkpoints there are), pushes each checkpoint and publishes each optimum as it is written.
     */
    CompletableFuture<Job> train(String experimentId, ExperimentSpec spec, String team) {
        specs.validate(spec);
        rt.claim(experimentId, team);
        String key = StageRuntime.experimentKey(experimentId) + "/optima";
        return rt.jobs.submit(experimentId, team, ctx -> {
            OptimaJob job = new OptimaJob(
                    specs.model(spec), specs.taskData(spec), Specs.trainConfig(spec), spec.getK(), spec.getSeed());
            Path out = rt.store.workDir(key, child -> true);
            RunSpans runs = new RunSpans();
            try {
                job.run(out, new OptimaJob.Listener() {
                    @Override
                    public void onStep(int run, int step, int steps, double loss, double tokensPerSecond) {
                        runs.in(run);
                        ctx.tokensPerSecond(tokensPerSecond);
                        ctx.step(step, steps, run, loss, String.format("run-%d step %d/%d", run, step, steps));
                    }

                    @Override
                    public void onCheckpoint(int run, Path checkpoint) {
                        rt.pushCheckpoint(key, out, checkpoint.getFileName().toString());
                        ctx.checkpointed();
                    }

                    @Override
                    public void onOptimum(int run, Path adapter) {
                        runs.end();
                        Artifact artifact = rt.upload(key + "/" + OptimaJob.runName(run), adapter);
                        rt.store.delete(key + "/" + Checkpoint.besides(adapter).getFileName()); // superseded
                        ctx.output(artifact);
                        JsonNode last = lastValidation(adapter);
                        rt.publishOnce(
                                Topics.CHECKPOINTS,
                                experimentId,
                                experimentId + "/checkpoint/" + run,
                                CheckpointAvailable.newBuilder()
                                        .setExperimentId(experimentId)
                                        .setTeam(team)
                                        .setSpec(spec)
                                        .setIndex(run)
                                        .setK(spec.getK())
                                        .setAdapter(artifact)
                                        .setValAccuracy(
                                                last == null
                                                        ? -1
                                                        : last.path("accuracy").asDouble())
                                        .setValNll(
                                                last == null
                                                        ? -1
                                                        : last.path("nll").asDouble())
                                        .build());
                        ctx.note(String.format("run-%d done (%d of %d)", run, run + 1, spec.getK()));
                    }
                });
            } finally {
                runs.end();
                rt.store.release(key);
            }
        });
    }

    /** One span per optimum's training, from its first step to its adapter (the job's listener marks both). */
    private static final class RunSpans {
        private Span span;
        private Scope scope;
        private int run = -1;

        void in(int run) {
            if (run != this.run) {
                end();
                this.run = run;
                span = Tracing.tracer()
                        .spanBuilder("train " + OptimaJob.runName(run))
                        .startSpan();
                scope = span.makeCurrent();
            }
        }

        void end() {
            if (span != null) {
                scope.close();
                span.end();
                span = null;
            }
        }
    }

    private static JsonNode lastValidation(Path adapter) {
        try {
            JsonNode v = new ObjectMapper()
                    .readTree(adapter.resolve("metrics.json").toFile())
                    .path("validation");
            return v.size() == 0 ? null : v.get(v.size() - 1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
