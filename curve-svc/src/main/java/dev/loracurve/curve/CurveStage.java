package dev.loracurve.curve;

import dev.loracurve.core.store.AtomicFiles;
import dev.loracurve.proto.v1.Artifact;
import dev.loracurve.proto.v1.CheckpointAvailable;
import dev.loracurve.proto.v1.CurveReady;
import dev.loracurve.proto.v1.ExperimentSpec;
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
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * The curve stage: records each CheckpointAvailable in the store (its state survives restarts);
 * when all K optima of an experiment are in, fits the curve (the core's resumable CurveJob) and
 * announces it with CurveReady. An experiment that evaluates no curve passes straight through.
 */
@Singleton // one instance, built at start-up, that the endpoint calls
@Readiness
@Default // also injectable without the health qualifier
public class CurveStage implements HealthCheck {
    @ConfigProperty(name = "loracurve.store")
    Path storeRoot;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Inject
    MeterRegistry registry;

    private StageRuntime rt;

    void start(@Observes StartupEvent ev) {
        rt = StageRuntime.startStage(
                "curve-svc",
                Stage.CURVE,
                storeRoot,
                bootstrap,
                registry,
                Topics.CHECKPOINTS,
                CheckpointAvailable.class,
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
        if (!e.is(CheckpointAvailable.class)) {
            return;
        }
        CheckpointAvailable c = e.parse(CheckpointAvailable.parser());
        Path inputs = rt.store.experiment(c.getExperimentId()).resolve("curve-inputs");
        AtomicFiles.write(inputs.resolve(c.getIndex() + ".binpb"), ByteBuffer.wrap(c.toByteArray()));
        List<Artifact> optima = new ArrayList<>();
        for (int i = 0; i < c.getK(); i++) {
            Path f = inputs.resolve(i + ".binpb");
            if (!Files.exists(f)) {
                return; // not all optima are in yet
            }
            try {
                optima.add(CheckpointAvailable.parseFrom(Files.readAllBytes(f)).getAdapter());
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
        fit(c.getExperimentId(), c.getSpec(), optima).join();
    }

    /** Queues the fit of an experiment's curve through its optima (from the events or a Start call). */
    CompletableFuture<Job> fit(String experimentId, ExperimentSpec spec, List<Artifact> optima) {
        Specs.validate(spec);
        if (optima.size() != spec.getK()) {
            throw new IllegalArgumentException(
                    "optima: the spec has k = " + spec.getK() + ", got " + optima.size() + " optima");
        }
        Path out = rt.store.experiment(experimentId).resolve("curve");
        boolean wanted = spec.getEval().getMethodsList().contains("curve");
        return rt.jobs.submit(experimentId, ctx -> {
            List<Path> anchors = rt.verified(optima);
            CurveReady.Builder ready = CurveReady.newBuilder()
                    .setExperimentId(experimentId)
                    .setSpec(spec)
                    .addAllOptima(optima);
            if (wanted) {
                Specs.curveJob(spec, anchors)
                        .fit(
                                out,
                                (step, total, loss, tokensPerSecond) ->
                                        ctx.step(step, total, 0, loss, String.format("curve step %d/%d", step, total)));
                Artifact curve = rt.artifact(out);
                ctx.output(curve);
                ready.setCurve(curve);
            }
            rt.publishOnce(Topics.CURVES, experimentId, experimentId + "/curve", ready.build());
        });
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("curve-events")
                .status(rt != null && rt.ready())
                .build();
    }
}
