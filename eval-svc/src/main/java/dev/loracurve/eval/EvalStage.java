package dev.loracurve.eval;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loracurve.core.store.Sha256;
import dev.loracurve.proto.v1.Artifact;
import dev.loracurve.proto.v1.CurveReady;
import dev.loracurve.proto.v1.EvalCompleted;
import dev.loracurve.proto.v1.ExperimentSpec;
import dev.loracurve.proto.v1.Job;
import dev.loracurve.proto.v1.MethodMetrics;
import dev.loracurve.proto.v1.OodMetrics;
import dev.loracurve.report.ReportPage;
import dev.loracurve.service.Event;
import dev.loracurve.service.StageDescriptor;
import dev.loracurve.service.StageRuntime;
import dev.loracurve.service.Topics;
import dev.loracurve.service.quarkus.StageBean;
import dev.loracurve.service.trace.Tracing;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.inject.Default;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.Readiness;

/**
 * The evaluation stage: on CurveReady, scores the spec's methods (the core's EvalJob) into
 * report.json / report.html / predictions.jsonl and announces them with EvalCompleted.
 */
@Singleton // one instance, built at start-up, that the endpoint calls
@Readiness
@Default // also injectable without the health qualifier
public class EvalStage extends StageBean {
    /** Posteriors kept loaded for predictions; each holds one copy of the base model. */
    @ConfigProperty(name = "loracurve.predict.cache", defaultValue = "2")
    int predictCache;

    private Predictions predictions;

    @Override
    protected StageDescriptor descriptor() {
        return StageDescriptor.EVAL;
    }

    /** Per-input predictions of finished experiments (PredictionEndpoint). */
    synchronized Predictions predictions() {
        if (predictions == null) {
            predictions = new Predictions(rt, specs, Math.max(1, predictCache));
        }
        return predictions;
    }

    @PreDestroy
    synchronized void closePredictions() {
        if (predictions != null) {
            predictions.close();
        }
    }

    @Override
    protected void onEvent(Event e) {
        if (e.is(CurveReady.class)) {
            CurveReady c = e.parse(CurveReady.parser());
            evaluate(
                            c.getExperimentId(),
                            c.getSpec(),
                            c.getOptimaList(),
                            c.hasCurve() ? c.getCurve() : null,
                            c.getTeam())
                    .join();
        }
    }

    /** A span for a method just scored, which took {@code seconds} up to now. */
    private static void scored(String method, double seconds) {
        Tracing.tracer()
                .spanBuilder("score " + method)
                .setStartTimestamp(Instant.now().minusNanos((long) (seconds * 1e9)))
                .startSpan()
                .end();
    }

    /**
     * Queues an experiment's evaluation (from the events or a Start call); curve may be null. The
     * report folder is written locally (the store itself for {@code file://}) and published whole;
     * the event carries report.json.
     */
    CompletableFuture<Job> evaluate(
            String experimentId, ExperimentSpec spec, List<Artifact> optima, Artifact curve, String team) {
        specs.validate(spec);
        rt.claim(experimentId, team);
        String key = StageRuntime.experimentKey(experimentId) + "/eval";
        return rt.jobs.submit(experimentId, team, ctx -> {
            List<Path> anchors = rt.fetch(optima);
            List<Path> curves = curve == null ? List.of() : rt.fetch(List.of(curve));
            Path out = rt.store.workDir(key, child -> false);
            try {
                JsonNode report = specs.evalJob(spec, anchors, curves)
                        .run(
                                out,
                                (method, seconds) -> {
                                    scored(method, seconds);
                                    ctx.checkCancelled();
                                    ctx.note(String.format("%s scored in %.1f s", method, seconds));
                                },
                                ReportPage::write);
                rt.upload(key, out);
                Artifact json = Artifact.newBuilder()
                        .setUri(rt.store.uri(key + "/report.json"))
                        .setSha256(Sha256.of(out.resolve("report.json")))
                        .build();
                ctx.output(json);
                rt.publishOnce(
                        Topics.EVALS,
                        experimentId,
                        experimentId + "/eval",
                        EvalCompleted.newBuilder()
                                .setExperimentId(experimentId)
                                .setReport(json)
                                .addAllMetrics(metrics(report))
                                .build());
            } finally {
                rt.store.release(key);
            }
        });
    }

    /** The headline figures of report.json, one message per method. */
    static List<MethodMetrics> metrics(JsonNode report) {
        List<MethodMetrics> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = report.get("methods").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode r = e.getValue();
            JsonNode ood = ReportPage.firstOod(r);
            MethodMetrics.Builder m = MethodMetrics.newBuilder();
            for (Iterator<Map.Entry<String, JsonNode>> sets = r.path("ood").fields(); sets.hasNext(); ) {
                Map.Entry<String, JsonNode> set = sets.next();
                JsonNode o = set.getValue();
                m.addOodSets(OodMetrics.newBuilder()
                        .setName(set.getKey())
                        .setMutualInformation(o.path("mutual_information").asDouble())
                        .setAurocMi(o.path("auroc_mi").asDouble())
                        .setAurocEntropy(o.path("auroc_entropy").asDouble())
                        .setAccuracy(o.path("accuracy").asDouble(-1))
                        .setEce(o.path("ece").asDouble(-1)));
            }
            out.add(m.setMethod(e.getKey())
                    .setAccuracy(r.get("accuracy").asDouble())
                    .setNll(r.get("nll").asDouble())
                    .setEce(r.get("ece").asDouble())
                    .setBrier(r.get("brier").asDouble())
                    .setMutualInformation(r.get("mutual_information").asDouble())
                    .setOodMutualInformation(ood.path("mutual_information").asDouble(-1))
                    .setOodAuroc(ood.path("auroc_mi").asDouble(-1))
                    .setOodAccuracy(ood.path("accuracy").asDouble(-1))
                    .setOodEce(ood.path("ece").asDouble(-1))
                    .build());
        }
        return out;
    }
}
