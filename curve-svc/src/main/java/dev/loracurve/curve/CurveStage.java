package dev.loracurve.curve;

import com.google.protobuf.Message;
import dev.loracurve.core.store.AtomicFiles;
import dev.loracurve.proto.v1.Artifact;
import dev.loracurve.proto.v1.CheckpointAvailable;
import dev.loracurve.proto.v1.CurveReady;
import dev.loracurve.proto.v1.ExperimentSpec;
import dev.loracurve.proto.v1.Job;
import dev.loracurve.proto.v1.Stage;
import dev.loracurve.service.Event;
import dev.loracurve.service.Specs;
import dev.loracurve.service.Topics;
import dev.loracurve.service.quarkus.StageBean;
import jakarta.enterprise.inject.Default;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.health.Readiness;

/**
 * The curve stage: records each CheckpointAvailable in the store (its state survives restarts);
 * when all K optima of an experiment are in, fits the curve (the core's resumable CurveJob) and
 * announces it with CurveReady. An experiment that evaluates no curve passes straight through.
 */
@Singleton // one instance, built at start-up, that the endpoint calls
@Readiness
@Default // also injectable without the health qualifier
public class CurveStage extends StageBean {
    @Override
    protected String name() {
        return "curve-svc";
    }

    @Override
    protected Stage stage() {
        return Stage.CURVE;
    }

    @Override
    protected String inputTopic() {
        return Topics.CHECKPOINTS;
    }

    @Override
    protected Class<? extends Message> inputType() {
        return CheckpointAvailable.class;
    }

    @Override
    protected void onEvent(Event e) {
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
}
