package dev.loracurve.service;

import dev.loracurve.proto.v1.Artifact;
import dev.loracurve.proto.v1.Job;
import dev.loracurve.proto.v1.Progress;
import dev.loracurve.proto.v1.Stage;
import dev.loracurve.proto.v1.State;
import dev.loracurve.service.trace.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A stage's jobs, one at a time on one worker (a training node runs one job on its accelerator;
 * more throughput = more instances). Jobs come from events or from the gRPC Start call alike.
 * Their progress goes to watchers and, at most once a second plus every state change, to a sink
 * (the StageProgress events the gateway follows). Cancellation is cooperative: the work hears it
 * at its next progress report, from a cancel call or from the store's cancel marker.
 */
public final class JobRunner implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(JobRunner.class.getName());
    private static final long PUBLISH_EVERY_MS = 1_000;

    /** The work of one job; it reports through its context and returns when done. */
    @FunctionalInterface
    public interface Work {
        void run(Context context) throws Exception;
    }

    private final Stage stage;
    private volatile BiConsumer<Job, Duration> ended = (job, ran) -> {};
    private volatile double tokensPerSecond;
    private final Consumer<Progress> sink;
    private final Predicate<String> cancelledExperiment;
    private final ExecutorService worker;
    /** The jobs of this instance in submission order: all queued and running ones, the last ended ones. */
    private final Map<String, Entry> jobs = new LinkedHashMap<>();
    /** How many ended jobs an instance keeps answering for (the store and the gateway keep the rest). */
    static final int ENDED_KEPT = 1000;

    private volatile double stepsPerSecond;
    /** Checkpoints the running jobs reported: what a stopping instance waits for. */
    private long checkpoints;

    private final class Entry {
        volatile Job job;
        final CompletableFuture<Job> done = new CompletableFuture<>();
        final List<Consumer<Progress>> watchers = new CopyOnWriteArrayList<>();
        /** The trace the job was submitted in (the event's or the call's); its span continues it. */
        String traceparent = "";

        long startedNanos;
        volatile boolean cancelRequested;
        long lastPublished;
    }

    /**
     * @param sink                where progress is published (throttled)
     * @param cancelledExperiment whether an experiment was cancelled elsewhere (the store's marker)
     */
    public JobRunner(Stage stage, Consumer<Progress> sink, Predicate<String> cancelledExperiment) {
        this.stage = stage;
        this.sink = sink;
        this.cancelledExperiment = cancelledExperiment;
        this.worker = Executors.newSingleThreadExecutor(
                r -> new Thread(r, stage.name().toLowerCase() + "-jobs"));
    }

    public static String jobId(String experimentId, Stage stage) {
        return experimentId + "/" + stage.name().toLowerCase();
    }
    /** The id of this stage's job for an experiment. */
    public String idOf(String experimentId) {
        return jobId(experimentId, stage);
    }

    /**
     * Queues a job of {@code team} (its owner: only that team sees it); while one with the same id
     * is queued or running, that one is returned instead.
     */
    public synchronized CompletableFuture<Job> submit(String experimentId, String team, Work work) {
        String id = jobId(experimentId, stage);
        Entry existing = jobs.get(id);
        if (existing != null && !terminal(existing.job.getState())) {
            return existing.done;
        }
        Entry e = new Entry();
        e.job = Job.newBuilder()
                .setTeam(team)
                .setId(id)
                .setExperimentId(experimentId)
                .setStage(stage)
                .setState(State.QUEUED)
                .setProgress(progress(experimentId, State.QUEUED, "queued"))
                .setCreatedMs(System.currentTimeMillis())
                .build();
        e.traceparent = Tracing.traceparent();
        jobs.remove(id);
        jobs.put(id, e);
        worker.submit(() -> execute(e, work));
        return e.done;
    }

    private void execute(Entry e, Work work) {
        // every line logged for this job, its failure included, names it
        try (LogContext ignored = LogContext.of(e.job.getExperimentId(), stage, e.job.getId())) {
            run(e, work);
        }
    }

    private void run(Entry e, Work work) {
        String exp = e.job.getExperimentId();
        if (e.cancelRequested || cancelledExperiment.test(exp)) {
            finish(e, State.CANCELLED, "cancelled before it started");
            return;
        }
        e.startedNanos = System.nanoTime();
        update(
                e,
                e.job.toBuilder()
                        .setState(State.RUNNING)
                        .setProgress(progress(exp, State.RUNNING, "started"))
                        .build(),
                true);
        try {
            Tracing.traced(
                    stage.name().toLowerCase() + " job", SpanKind.INTERNAL, Tracing.parent(e.traceparent), () -> {
                        Span.current().setAttribute(Tracing.EXPERIMENT, exp);
                        LogContext.trace();
                        LOG.info("job " + e.job.getId() + " started");
                        work.run(new Context(e));
                        return null;
                    });
            LOG.info(String.format(
                    "job %s succeeded in %.1f s", e.job.getId(), (System.nanoTime() - e.startedNanos) / 1e9));
            finish(e, State.SUCCEEDED, "done");
        } catch (CancellationException c) {
            LOG.info("job " + e.job.getId() + " cancelled");
            finish(e, State.CANCELLED, "cancelled");
        } catch (Throwable t) {
            LOG.log(Level.WARNING, "job " + e.job.getId() + " failed", t);
            String why = t.getMessage() == null ? t.toString() : t.getMessage();
            e.job = e.job.toBuilder().setError(why).build();
            finish(e, State.FAILED, why);
        }
    }

    private void finish(Entry e, State state, String message) {
        Progress last = e.job.getProgress().toBuilder()
                .setState(state)
                .setMessage(message)
                .setTimeMs(System.currentTimeMillis())
                .build();
        update(e, e.job.toBuilder().setState(state).setProgress(last).build(), true);
        tokensPerSecond = 0;
        if (e.startedNanos > 0) {
            ended.accept(e.job, Duration.ofNanos(System.nanoTime() - e.startedNanos));
        }
        e.done.complete(e.job);
    }

    /** Hears each job that ran when it ends, and how long it ran (the job-duration metric). */
    public void onEnd(BiConsumer<Job, Duration> listener) {
        ended = listener;
    }

    /** Tokens per second of the running job, as its trainer last reported. */
    public double tokensPerSecond() {
        return tokensPerSecond;
    }

    private void update(Entry e, Job job, boolean publish) {
        Progress p = job.getProgress();
        // under the lock watch() takes: a watcher added between the new state and this loop would
        // never hear that its job ended (seen as a watch hanging on a job that failed at once)
        synchronized (this) {
            e.job = job;
            for (Consumer<Progress> w : e.watchers) {
                w.accept(p);
            }
            if (terminal(job.getState())) {
                e.watchers.clear();
                pruneEnded();
            }
        }
        long now = System.currentTimeMillis();
        if (publish || now - e.lastPublished >= PUBLISH_EVERY_MS) {
            e.lastPublished = now;
            try {
                sink.accept(p);
            } catch (RuntimeException ex) {
                LOG.log(Level.WARNING, "cannot publish progress of " + job.getId(), ex);
            }
        }
    }

    /** What a job's work reports through. */
    public final class Context {
        private final Entry entry;
        private long t0 = System.nanoTime();
        private int firstStep = -1;

        private Context(Entry entry) {
            this.entry = entry;
        }

        public String experimentId() {
            return entry.job.getExperimentId();
        }

        /** The throughput the trainer measured at its last step (the tokens-per-second gauge). */
        public void tokensPerSecond(double rate) {
            tokensPerSecond = rate;
        }

        /** Reports a step; throws CancellationException when the job was cancelled. */
        public void step(int step, int total, int optimum, double loss, String message) {
            checkCancelled();
            if (firstStep < 0 || step < firstStep) {
                firstStep = step;
                t0 = System.nanoTime();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            double rate = seconds > 0 ? (step - firstStep) / seconds : 0;
            stepsPerSecond = rate;
            Progress p = progress(experimentId(), State.RUNNING, message).toBuilder()
                    .setStep(step)
                    .setTotalSteps(total)
                    .setOptimum(optimum)
                    .setLoss(loss)
                    .setStepsPerSecond(rate)
                    .build();
            update(entry, entry.job.toBuilder().setProgress(p).build(), false);
        }

        /** A state-free note ("waiting for optima"), always published. */
        public void note(String message) {
            checkCancelled();
            update(
                    entry,
                    entry.job.toBuilder()
                            .setProgress(entry.job.getProgress().toBuilder()
                                    .setMessage(message)
                                    .setTimeMs(System.currentTimeMillis()))
                            .build(),
                    true);
        }

        /** The job wrote a checkpoint that another instance can resume from (a stopping instance waits for one). */
        public void checkpointed() {
            synchronized (JobRunner.this) {
                checkpoints++;
                JobRunner.this.notifyAll();
            }
        }

        public void output(Artifact artifact) {
            entry.job = entry.job.toBuilder().addOutputs(artifact).build();
        }

        public void checkCancelled() {
            if (entry.cancelRequested || cancelledExperiment.test(experimentId())) {
                throw new CancellationException("job " + entry.job.getId() + " was cancelled");
            }
        }
    }

    /** Publishes a failure that happened before a job could run (the experiment must not wait for it). */
    public void reportFailure(String experimentId, String message) {
        sink.accept(progress(experimentId, State.FAILED, message));
    }

    private Progress progress(String experimentId, State state, String message) {
        return Progress.newBuilder()
                .setExperimentId(experimentId)
                .setStage(stage)
                .setState(state)
                .setMessage(message)
                .setTimeMs(System.currentTimeMillis())
                .build();
    }

    public static boolean terminal(State s) {
        return s == State.SUCCEEDED || s == State.FAILED || s == State.CANCELLED;
    }

    /** A job of {@code team}; another team's is not found, as an unknown one. */
    public synchronized Job get(String jobId, String team) {
        return entry(jobId, team).job;
    }

    /** The jobs of {@code team} (of one experiment, unless empty). */
    public synchronized List<Job> list(String experimentId, String team) {
        List<Job> out = new ArrayList<>();
        for (Entry e : jobs.values()) {
            if ((experimentId.isEmpty() || e.job.getExperimentId().equals(experimentId))
                    && e.job.getTeam().equals(team)) {
                out.add(e.job);
            }
        }
        return out;
    }

    /** Asks a job to stop; FailedPreconditionException when it already ended. */
    public synchronized Job cancel(String jobId, String team) {
        Entry e = entry(jobId, team);
        if (terminal(e.job.getState())) {
            throw new FailedPreconditionException("job " + jobId + " already ended: " + e.job.getState());
        }
        e.cancelRequested = true;
        return e.job;
    }

    /** Sends the job's current progress, then each new one until it ends; returns false when it had ended already. */
    public synchronized boolean watch(String jobId, String team, Consumer<Progress> watcher) {
        Entry e = entry(jobId, team);
        watcher.accept(e.job.getProgress());
        return !terminal(e.job.getState()) && e.watchers.add(watcher);
    }

    public synchronized void unwatch(String jobId, Consumer<Progress> watcher) {
        Optional.ofNullable(jobs.get(jobId)).ifPresent(e -> e.watchers.remove(watcher));
    }

    /** Forgets the oldest ended jobs beyond {@link #ENDED_KEPT}; under the lock. */
    private void pruneEnded() {
        long ended =
                jobs.values().stream().filter(x -> terminal(x.job.getState())).count();
        for (var it = jobs.values().iterator(); it.hasNext() && ended > ENDED_KEPT; ) {
            if (terminal(it.next().job.getState())) {
                it.remove();
                ended--;
            }
        }
    }

    private Entry entry(String jobId, String team) {
        Entry e = jobs.get(jobId);
        if (e == null || !e.job.getTeam().equals(team)) {
            throw new NotFoundException("job", jobId, " on this instance");
        }
        return e;
    }

    public synchronized int running() {
        return count(State.RUNNING);
    }

    public synchronized int queued() {
        return count(State.QUEUED);
    }

    private int count(State state) {
        return (int)
                jobs.values().stream().filter(e -> e.job.getState() == state).count();
    }

    /**
     * Waits until the running job (if any) reports its next checkpoint or ends, at most
     * {@code timeoutMs}: a stopping instance loses no more than the steps since that checkpoint.
     * Returns false on timeout.
     */
    public synchronized boolean awaitCheckpoint(long timeoutMs) throws InterruptedException {
        long seen = checkpoints;
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (running() > 0 && checkpoints == seen) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return false;
            }
            wait(Math.min(left, 500)); // also re-checks running(): a job that ends does not notify
        }
        return true;
    }

    public double stepsPerSecond() {
        return running() > 0 ? stepsPerSecond : 0;
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
