package dev.loracurve.curve;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.loracurve.core.eval.EvalMethod;
import dev.loracurve.core.train.Checkpoint;
import dev.loracurve.core.train.Trainer;
import dev.loracurve.proto.v1.Artifact;
import dev.loracurve.proto.v1.CheckpointAvailable;
import dev.loracurve.proto.v1.CurveReady;
import dev.loracurve.proto.v1.ExperimentSpec;
import dev.loracurve.proto.v1.Job;
import dev.loracurve.service.Event;
import dev.loracurve.service.InvalidSpecException;
import dev.loracurve.service.StageDescriptor;
import dev.loracurve.service.StageRuntime;
import dev.loracurve.service.Topics;
import dev.loracurve.service.quarkus.StageBean;
import dev.loracurve.service.trace.Tracing;
import jakarta.enterprise.inject.Default;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
    /** The curve's folder in the experiment's. */
    private static final String CURVE = "curve";

    @Override
    protected StageDescriptor descriptor() {
        return StageDescriptor.CURVE;
    }

    @Override
    protected void onEvent(Event e) throws InvalidProtocolBufferException {
        if (!e.is(CheckpointAvailable.class)) {
            return;
        }
        CheckpointAvailable c = e.parse(CheckpointAvailable.parser());
        // a crafted or corrupt event is refused before anything is written for it
        specs.validate(c.getSpec());
        rt.store.keyOf(c.getAdapter().getUri());
        if (c.getIndex() < 0
                || c.getIndex() >= c.getK()
                || c.getK() != c.getSpec().getK()) {
            throw new InvalidSpecException(
                    "index",
                    c.getIndex() + " of k = " + c.getK() + " does not fit the spec's k = "
                            + c.getSpec().getK());
        }
        String inputs = StageRuntime.experimentKey(c.getExperimentId()) + "/curve-inputs/";
        rt.store.write(inputs + c.getIndex() + ".binpb", c.toByteArray());
        List<Artifact> optima = new ArrayList<>();
        for (int i = 0; i < c.getK(); i++) {
            Optional<byte[]> record = rt.store.read(inputs + i + ".binpb");
            if (record.isEmpty()) {
                return; // not all optima are in yet
            }
            optima.add(CheckpointAvailable.parseFrom(record.get()).getAdapter());
        }
        fit(c.getExperimentId(), c.getSpec(), optima, c.getTeam()).join();
    }

    /**
     * Queues the fit of an experiment's curve through its optima (from the events or a Start call).
     * The job works in the experiment's folder of the store (a local copy for a remote store, with
     * the curve or its checkpoint if there is one), pushes each checkpoint and publishes the curve.
     */
    CompletableFuture<Job> fit(String experimentId, ExperimentSpec spec, List<Artifact> optima, String team) {
        specs.validate(spec);
        rt.claim(experimentId, team);
        if (optima.size() != spec.getK()) {
            throw new InvalidSpecException(
                    "optima", ": the spec has k = " + spec.getK() + ", got " + optima.size() + " optima");
        }
        String key = StageRuntime.experimentKey(experimentId);
        boolean wanted = EvalMethod.CURVE.in(spec.getEval().getMethodsList());
        return rt.jobs.submit(experimentId, team, ctx -> {
            List<Path> anchors = rt.fetch(optima);
            CurveReady.Builder ready = CurveReady.newBuilder()
                    .setExperimentId(experimentId)
                    .setTeam(team)
                    .setSpec(spec)
                    .addAllOptima(optima);
            if (wanted) {
                Path work =
                        rt.store.workDir(key, child -> child.equals(CURVE) || child.equals(CURVE + Checkpoint.SUFFIX));
                try {
                    Path out = work.resolve(CURVE);
                    Tracing.run(
                            "fit curve",
                            () -> specs.curveJob(spec, anchors).fit(out, new Trainer.Listener() {
                                @Override
                                public void onStep(int step, int total, double loss, double tokensPerSecond) {
                                    ctx.tokensPerSecond(tokensPerSecond);
                                    ctx.step(step, total, 0, loss, String.format("curve step %d/%d", step, total));
                                }

                                @Override
                                public void onCheckpoint(Path checkpoint) {
                                    rt.pushCheckpoint(
                                            key, work, checkpoint.getFileName().toString());
                                    ctx.checkpointed();
                                }
                            }));
                    Artifact curve = rt.upload(key + "/" + CURVE, out);
                    rt.store.delete(key + "/" + CURVE + Checkpoint.SUFFIX); // superseded
                    ctx.output(curve);
                    ready.setCurve(curve);
                } finally {
                    rt.store.release(key);
                }
            }
            rt.publishOnce(Topics.CURVES, experimentId, experimentId + "/curve", ready.build());
        });
    }
}
