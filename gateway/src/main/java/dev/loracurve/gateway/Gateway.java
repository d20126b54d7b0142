package dev.loracurve.gateway;

import dev.loracurve.core.store.Sha256;
import dev.loracurve.proto.v1.Artifact;
import dev.loracurve.proto.v1.CheckpointAvailable;
import dev.loracurve.proto.v1.CurveReady;
import dev.loracurve.proto.v1.EvalCompleted;
import dev.loracurve.proto.v1.Experiment;
import dev.loracurve.proto.v1.ExperimentCancelled;
import dev.loracurve.proto.v1.ExperimentSpec;
import dev.loracurve.proto.v1.ExperimentSubmitted;
import dev.loracurve.proto.v1.Progress;
import dev.loracurve.proto.v1.Report;
import dev.loracurve.proto.v1.Stage;
import dev.loracurve.proto.v1.StageProgress;
import dev.loracurve.proto.v1.State;
import dev.loracurve.proto.v1.WatchExperimentResponse;
import dev.loracurve.service.Event;
import dev.loracurve.service.ExperimentRecords;
import dev.loracurve.service.ExperimentTakenException;
import dev.loracurve.service.FailedPreconditionException;
import dev.loracurve.service.InvalidSpecException;
import dev.loracurve.service.JobRunner;
import dev.loracurve.service.NotFoundException;
import dev.loracurve.service.Quotas;
import dev.loracurve.service.Specs;
import dev.loracurve.service.StageDescriptor;
import dev.loracurve.service.StageRuntime;
import dev.loracurve.service.Topics;
import dev.loracurve.service.quarkus.EventLoopLiveness;
import dev.loracurve.service.quarkus.LimitSettings;
import dev.loracurve.service.quarkus.QuotaSettings;
import dev.loracurve.service.quarkus.ServiceSettings;
import dev.loracurve.service.store.Store;
import dev.loracurve.service.trace.Tracing;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Default;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * The gateway: accepts experiments (validated first), starts them with ExperimentSubmitted, and
 * follows each through the events of every stage. Stages only move forward, so events that
 * arrive out of order across topics cannot move an experiment back.
 */
@Singleton // one instance, built at start-up, that the endpoint calls
@Readiness
@Default // also injectable without the health qualifier
public class Gateway implements HealthCheck {
    @Inject
    ServiceSettings settings;

    @Inject
    MeterRegistry registry;

    @Inject
    LimitSettings limits;

    @Inject
    QuotaSettings quotaSettings;

    private StageRuntime rt;
    private Experiments experiments;
    private Specs specs;
    private Quotas quotas;

    void start(@Observes StartupEvent ev) {
        // runs no jobs; its event handling is idempotent
        Tracing.start("gateway");
        Store store = settings.openStore();
        specs = new Specs(settings.dataLocations(store), limits.specLimits());
        quotas = quotaSettings.quotas();
        rt = new StageRuntime(StageDescriptor.GATEWAY, store, settings.kafka());
        EventLoopLiveness.watch(() -> rt);
        experiments = new Experiments(rt.store);
        Gauge.builder(
                        "loracurve.experiments.active",
                        experiments,
                        x -> x.list().stream()
                                .filter(e -> !JobRunner.terminal(e.getState()))
                                .count())
                .description("experiments queued or running")
                .register(registry);
        // every gateway instance follows every event (a group of its own), so that any instance
        // can stream any experiment to its watchers; applying an event twice changes nothing
        rt.consume(
                StageDescriptor.GATEWAY.consumerGroup(settings.instance()),
                StageDescriptor.GATEWAY.reads(),
                this::onEvent,
                false);
    }

    void stop(@Observes ShutdownEvent ev) {
        rt.close();
    }

    /** The longest request id CreateExperiment takes. */
    static final int MAX_REQUEST_ID = 128;

    /**
     * Validates, checks the team's quota, records the experiment as the team's and submits it.
     * With a request id the call is idempotent: the first call for (team, request id) writes a
     * marker (create-if-absent, so concurrent retries agree on one experiment id); a retry finds
     * it and finishes or returns that experiment, whichever gateway instance it reaches.
     */
    Experiment create(ExperimentSpec spec, String requestId, String team) {
        // the root of the experiment's trace: its events carry it on to every stage
        return Tracing.span("CreateExperiment", SpanKind.SERVER, () -> {
            Experiment e = admit(spec, requestId, team);
            Span.current().setAttribute(Tracing.EXPERIMENT, e.getId());
            return e;
        });
    }

    private Experiment admit(ExperimentSpec spec, String requestId, String team) {
        if (requestId.length() > MAX_REQUEST_ID) {
            throw new InvalidSpecException(
                    "request_id", "must be at most " + MAX_REQUEST_ID + " characters, got " + requestId.length());
        }
        specs.validate(spec);
        specs.checkData(spec); // here, not in a stage that a GPU node had to wake for
        Experiment.Builder asked = Experiment.newBuilder()
                .setTeam(team)
                .setSpec(spec)
                .setRequestId(requestId)
                .setState(State.QUEUED)
                .setStage(Stage.TRAIN);
        String marker = requestId.isEmpty() ? null : requestKey(team, requestId);
        Optional<Experiment> earlier = marker == null ? Optional.empty() : readMarker(marker);
        if (earlier.isPresent()) {
            return resume(earlier.get(), spec);
        }
        long running = experiments.list().stream()
                .filter(e -> e.getTeam().equals(team) && !JobRunner.terminal(e.getState()))
                .count();
        quotas.check(team, spec, running);
        long now = System.currentTimeMillis();
        Experiment fresh = asked.setId("exp-" + UUID.randomUUID().toString().substring(0, 8))
                .setCreatedMs(now)
                .setUpdatedMs(now)
                .build();
        if (marker != null && !rt.store.createIfAbsent(marker, fresh.toByteArray())) {
            return resume(readMarker(marker).orElseThrow(), spec); // a concurrent retry won
        }
        return submit(fresh);
    }

    /** The experiment a request id already named: the same one when the spec is the same. */
    private Experiment resume(Experiment earlier, ExperimentSpec spec) {
        if (!earlier.getSpec().equals(spec)) {
            throw ExperimentTakenException.requestReused(earlier.getRequestId(), earlier.getId());
        }
        return submit(earlier); // finishes what a crashed first call left undone
    }

    /** Claims, records and announces an experiment, once: only the call that records it publishes. */
    private Experiment submit(Experiment e) {
        String id = e.getId();
        rt.claim(id, e.getTeam());
        if (experiments.create(e)) {
            rt.bus.publish(
                    Topics.EXPERIMENTS,
                    id,
                    id + "/submitted",
                    ExperimentSubmitted.newBuilder()
                            .setExperimentId(id)
                            .setTeam(e.getTeam())
                            .setSpec(e.getSpec())
                            .build());
        }
        return experiments.get(id);
    }

    /** The marker of a request id: one per (team, request id), named by their hash. */
    private static String requestKey(String team, String requestId) {
        return "requests/" + Sha256.ofBytes((team + "\n" + requestId).getBytes(StandardCharsets.UTF_8));
    }

    private Optional<Experiment> readMarker(String key) {
        return ExperimentRecords.read(rt.store, key, "request marker " + key);
    }

    Experiment cancel(String id, String team) {
        Experiment e = get(id, team);
        if (JobRunner.terminal(e.getState())) {
            throw new FailedPreconditionException("experiment " + id + " already ended: " + e.getState());
        }
        rt.markCancelled(id); // every stage checks this
        // every gateway instance (this one included) applies the cancel from the event, so that
        // the watchers of each hear it; the reply already shows it
        rt.bus.publish(
                Topics.EXPERIMENTS,
                id,
                id + "/cancelled",
                ExperimentCancelled.newBuilder().setExperimentId(id).build());
        return applyCancel(id);
    }

    private Experiment applyCancel(String id) {
        return experiments.update(
                id, x -> x.toBuilder().setState(State.CANCELLED).build(), null);
    }

    /** The experiment if {@code team} owns it; another team's is not found, as an unknown one (its content never leaves). */
    Experiment get(String id, String team) {
        Experiment e = experiments.get(id);
        if (!e.getTeam().equals(team)) {
            throw new NotFoundException("experiment", id, "");
        }
        return e;
    }

    /** The team's experiments, oldest first, in state {@code state} unless STATE_UNSPECIFIED. */
    List<Experiment> list(String team, State state) {
        return experiments.list().stream()
                .filter(e -> e.getTeam().equals(team))
                .filter(e -> state == State.STATE_UNSPECIFIED || e.getState() == state)
                .toList();
    }

    /** Sends the experiment now, then each change until it ends; false when it had ended. */
    boolean watch(String id, String team, Consumer<WatchExperimentResponse> watcher) {
        get(id, team);
        return experiments.watch(id, watcher);
    }

    void unwatch(String id, Consumer<WatchExperimentResponse> watcher) {
        experiments.unwatch(id, watcher);
    }

    Report report(String id, String team) {
        Experiment e = get(id, team);
        if (!e.hasReport()) {
            throw new FailedPreconditionException(
                    "experiment " + id + " has no report yet (" + e.getState() + ", stage " + e.getStage() + ")");
        }
        Artifact a = e.getReport();
        Path json = rt.store.fetch(a.getUri(), a.getSha256());
        try {
            return Report.newBuilder()
                    .setReportJson(a)
                    .setJson(Files.readString(json, StandardCharsets.UTF_8))
                    .setHtmlUri(rt.store.uri(StageRuntime.experimentKey(id) + "/eval/report.html"))
                    .build();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private void onEvent(Event e) {
        String id = e.key();
        if (id == null || !experiments.exists(id)) {
            return; // a stage called directly, not through the gateway
        }
        if (e.is(ExperimentCancelled.class)) {
            applyCancel(id);
        } else if (e.is(StageProgress.class)) {
            Progress p = e.parse(StageProgress.parser()).getProgress();
            experiments.update(
                    id,
                    x -> {
                        if (p.getStage().getNumber() < x.getStage().getNumber()) {
                            return x; // a late report of an earlier stage
                        }
                        Experiment.Builder b =
                                x.toBuilder().setStage(p.getStage()).setLastProgress(p);
                        if (p.getState() == State.FAILED) {
                            b.setState(State.FAILED).setError(p.getStage() + ": " + p.getMessage());
                        } else if (p.getState() == State.RUNNING) {
                            b.setState(State.RUNNING);
                        }
                        return b.build();
                    },
                    p);
        } else if (e.is(CheckpointAvailable.class)) {
            CheckpointAvailable c = e.parse(CheckpointAvailable.parser());
            experiments.update(
                    id,
                    x -> {
                        List<Artifact> optima = new ArrayList<>(x.getOptimaList());
                        if (optima.contains(c.getAdapter())) {
                            return x;
                        }
                        optima.add(c.getAdapter());
                        optima.sort(Comparator.comparing(Artifact::getUri));
                        return x.toBuilder().clearOptima().addAllOptima(optima).build();
                    },
                    note(id, Stage.TRAIN, "optimum " + c.getIndex() + " of " + c.getK() + " available"));
        } else if (e.is(CurveReady.class)) {
            CurveReady c = e.parse(CurveReady.parser());
            experiments.update(
                    id,
                    x -> {
                        Experiment.Builder b = x.toBuilder();
                        if (c.hasCurve()) {
                            b.setCurve(c.getCurve());
                        }
                        return b.setStage(Stage.EVAL).build();
                    },
                    note(id, Stage.CURVE, c.hasCurve() ? "curve ready" : "no curve asked for"));
        } else if (e.is(EvalCompleted.class)) {
            EvalCompleted c = e.parse(EvalCompleted.parser());
            experiments.update(
                    id,
                    x -> x.toBuilder()
                            .setReport(c.getReport())
                            .clearMetrics()
                            .addAllMetrics(c.getMetricsList())
                            .setStage(Stage.EVAL)
                            .setState(State.SUCCEEDED)
                            .build(),
                    note(id, Stage.EVAL, "report ready"));
        }
    }

    private static Progress note(String id, Stage stage, String message) {
        return Progress.newBuilder()
                .setExperimentId(id)
                .setStage(stage)
                .setState(State.SUCCEEDED)
                .setMessage(message)
                .setTimeMs(System.currentTimeMillis())
                .build();
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("gateway-events")
                .status(rt != null && rt.ready())
                .build();
    }
}
