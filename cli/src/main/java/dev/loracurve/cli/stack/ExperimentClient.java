package dev.loracurve.cli.stack;

import dev.loracurve.proto.v1.CancelExperimentRequest;
import dev.loracurve.proto.v1.CreateExperimentRequest;
import dev.loracurve.proto.v1.Experiment;
import dev.loracurve.proto.v1.ExperimentServiceGrpc;
import dev.loracurve.proto.v1.ExperimentSpec;
import dev.loracurve.proto.v1.GetExperimentRequest;
import dev.loracurve.proto.v1.GetReportRequest;
import dev.loracurve.proto.v1.ListExperimentsRequest;
import dev.loracurve.proto.v1.ListExperimentsResponse;
import dev.loracurve.proto.v1.Progress;
import dev.loracurve.proto.v1.Report;
import dev.loracurve.proto.v1.State;
import dev.loracurve.proto.v1.WatchExperimentRequest;
import dev.loracurve.proto.v1.WatchExperimentResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** The gateway's ExperimentService through the generated blocking stub. */
public final class ExperimentClient implements AutoCloseable {
    private final ManagedChannel channel;
    private final ExperimentServiceGrpc.ExperimentServiceBlockingStub stub;

    public ExperimentClient(Connection gateway) {
        channel = gateway.channel();
        stub = ExperimentServiceGrpc.newBlockingStub(channel);
    }

    public ExperimentServiceGrpc.ExperimentServiceBlockingStub stub() {
        return stub;
    }

    /**
     * Creates an experiment under a fresh request id, retrying while the gateway is unavailable:
     * a retry of a call that did reach it returns the same experiment instead of a second one.
     */
    public Experiment create(ExperimentSpec spec) {
        CreateExperimentRequest request = CreateExperimentRequest.newBuilder()
                .setSpec(spec)
                .setRequestId(UUID.randomUUID().toString())
                .build();
        for (int attempt = 1; ; attempt++) {
            try {
                return stub.createExperiment(request).getExperiment();
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || attempt == CREATE_ATTEMPTS) {
                    throw e;
                }
                pause(e);
            }
        }
    }

    private static final int CREATE_ATTEMPTS = 5;

    public Experiment get(String id) {
        return stub.getExperiment(
                        GetExperimentRequest.newBuilder().setExperimentId(id).build())
                .getExperiment();
    }

    /** Every experiment of the caller's team in {@code state} (STATE_UNSPECIFIED: all), page after page. */
    public List<Experiment> list(State state) {
        List<Experiment> all = new ArrayList<>();
        String token = "";
        do {
            ListExperimentsResponse page = stub.listExperiments(ListExperimentsRequest.newBuilder()
                    .setState(state)
                    .setPageToken(token)
                    .build());
            all.addAll(page.getExperimentsList());
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        return all;
    }

    public Experiment cancel(String id) {
        return stub.cancelExperiment(
                        CancelExperimentRequest.newBuilder().setExperimentId(id).build())
                .getExperiment();
    }

    /** Follows the watch stream to the experiment's end (reconnecting if the stream breaks); returns the last state. */
    public Experiment follow(String id, Consumer<WatchExperimentResponse> onUpdate) {
        return follow(id, onUpdate, null);
    }

    /** As {@link #follow(String, Consumer)}, failing with DEADLINE_EXCEEDED after {@code timeout} (null: none). */
    public Experiment follow(String id, Consumer<WatchExperimentResponse> onUpdate, Duration timeout) {
        Experiment last = null;
        var watching = timeout == null ? stub : stub.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
        for (int attempt = 0; attempt < 100; attempt++) {
            try {
                Iterator<WatchExperimentResponse> it = watching.watchExperiment(
                        WatchExperimentRequest.newBuilder().setExperimentId(id).build());
                while (it.hasNext()) {
                    WatchExperimentResponse u = it.next();
                    last = u.getExperiment();
                    onUpdate.accept(u);
                }
                return last;
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
                    throw e;
                }
                pause(e);
            }
        }
        return last == null ? get(id) : last;
    }

    public Report report(String id) {
        return stub.getReport(GetReportRequest.newBuilder().setExperimentId(id).build())
                .getReport();
    }

    private static void pause(StatusRuntimeException cause) {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw cause;
        }
    }

    /** One line for a progress report: "TRAIN  run-1 step 40/100  loss 0.6931". */
    public static String line(Progress p) {
        StringBuilder sb = new StringBuilder(String.format("%-5s %-9s %s", p.getStage(), p.getState(), p.getMessage()));
        if (p.getLoss() != 0) {
            sb.append(String.format("  loss %.4f", p.getLoss()));
        }
        if (p.getStepsPerSecond() > 0) {
            sb.append(String.format("  %.1f steps/s", p.getStepsPerSecond()));
        }
        return sb.toString();
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
