package dev.loracurve.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loracurve.core.train.OptimaJob;
import dev.loracurve.proto.v1.CheckpointAvailable;
import dev.loracurve.proto.v1.ExperimentSpec;
import dev.loracurve.proto.v1.ExperimentSubmitted;
import dev.loracurve.proto.v1.Job;
import dev.loracurve.proto.v1.Stage;
import dev.loracurve.service.Event;
import dev.loracurve.service.JobRunner;
import dev.loracurve.service.Specs;
import dev.loracurve.service.StageRuntime;
import dev.loracurve.service.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Default;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * The trainer stage: on ExperimentSubmitted, trains the experiment's K optima (the core's
 * resumable OptimaJob) and announces each with CheckpointAvailable as soon as it is written.
 */
@Singleton // one instance, built at start-up, that the endpoint calls
@Readiness
@Default // also injectable without the health qualifier
public class TrainerStage implements HealthCheck {
    @ConfigProperty(name = "loracurve.store")
    Path storeRoot;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    MeterRegistry registry;

    private StageRuntime rt;

    void start(@Observes StartupEvent ev) {
        rt = StageRuntime.startStage(
                "trainer-svc",
                Stage.TRAIN,
                storeRoot,
                bootstrap,
                registry,
                Topics.EXPERIMENTS,
                ExperimentSubmitted.class,
                this::onEvent);
    }

    void stop(@Observes ShutdownEvent ev) {
        rt.close();
    }

    /** This stage's jobs: what the endpoint's get, list, cancel and watch read. */
    JobRunner jobs() {
        return rt.jobs;
    }

    private void onEvent(Event e) {
        if (e.is(ExperimentSubmitted.class)) {
            ExperimentSubmitted s = e.parse(ExperimentSubmitted.parser());
            train(s.getExperimentId(), s.getSpec()).join();
        }
    }

    /** Queues the training of an experiment's optima (from an event or a Start call). */
    CompletableFuture<Job> train(String experimentId, ExperimentSpec spec) {
        Specs.validate(spec);
        Path out = rt.store.experiment(experimentId).resolve("optima");
        OptimaJob job = new OptimaJob(
                Specs.model(spec), Specs.taskData(spec), Specs.trainConfig(spec), spec.getK(), spec.getSeed());
        return rt.jobs.submit(
                experimentId,
                ctx -> job.run(out, new OptimaJob.Listener() {
                    @Override
                    public void onStep(int run, int step, int steps, double loss, double tokensPerSecond) {
                        ctx.step(step, steps, run, loss, String.format("run-%d step %d/%d", run, step, steps));
                    }

                    @Override
                    public void onOptimum(int run, Path adapter) {
                        var artifact = rt.artifact(adapter);
                        ctx.output(artifact);
                        JsonNode last = lastValidation(adapter);
                        rt.publishOnce(
                                Topics.CHECKPOINTS,
                                experimentId,
                                experimentId + "/checkpoint/" + run,
                                CheckpointAvailable.newBuilder()
                                        .setExperimentId(experimentId)
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
                }));
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

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("trainer-events")
                .status(rt != null && rt.ready())
                .build();
    }
}
