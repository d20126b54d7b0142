package dev.loracurve.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loracurve.proto.v1.Job;
import dev.loracurve.proto.v1.Progress;
import dev.loracurve.proto.v1.Stage;
import dev.loracurve.proto.v1.State;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Jobs one at a time: states, watchers, cooperative cancel, the store's cancel marker, failures. */
class JobRunnerTest {
    private final List<Progress> published = new CopyOnWriteArrayList<>();
    private final Set<String> cancelledInStore = ConcurrentHashMap.newKeySet();

    @Test
    void aJobRunsReportsAndEnds() throws Exception {
        try (JobRunner jobs = new JobRunner(Stage.TRAIN, published::add, cancelledInStore::contains)) {
            List<Progress> watched = new CopyOnWriteArrayList<>();
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Job> done = jobs.submit("exp-1", "team-a", ctx -> {
                release.await();
                for (int step = 1; step <= 3; step++) {
                    ctx.step(step, 3, 0, 1.0 / step, "step " + step);
                }
            });
            assertSame(done, jobs.submit("exp-1", "team-a", ctx -> {}), "the same job while it is queued or running");
            assertTrue(jobs.watch("exp-1/train", "team-a", watched::add));
            release.countDown();
            Job job = done.get(10, TimeUnit.SECONDS);
            assertEquals(State.SUCCEEDED, job.getState());
            List<State> states = watched.stream().map(Progress::getState).toList();
            assertTrue(
                    Set.of(State.QUEUED, State.RUNNING).contains(states.get(0)), "first the state when watching began");
            assertEquals(
                    List.of(State.RUNNING, State.RUNNING, State.RUNNING, State.SUCCEEDED),
                    states.subList(states.size() - 4, states.size()),
                    "then every step, and the end");
            assertEquals(
                    List.of(1, 2, 3),
                    watched.subList(watched.size() - 4, watched.size() - 1).stream()
                            .map(Progress::getStep)
                            .toList());
            assertEquals(State.RUNNING, published.get(0).getState(), "state changes are always published");
            assertEquals(State.SUCCEEDED, published.get(published.size() - 1).getState());
            assertTrue(published.size() < watched.size(), "steps are published at most once a second");
            assertThrows(
                    FailedPreconditionException.class,
                    () -> jobs.cancel("exp-1/train", "team-a"),
                    "an ended job cannot be cancelled");
            assertThrows(NoSuchElementException.class, () -> jobs.get("exp-2/train", "team-a"));
            assertThrows(
                    NoSuchElementException.class,
                    () -> jobs.get("exp-1/train", "team-b"),
                    "another team's job is not found, as an unknown one");
            assertEquals(List.of(), jobs.list("", "team-b"));
        }
    }

    @Test
    void cancellationIsHeardAtTheNextStepFromACallOrFromTheStore() throws Exception {
        try (JobRunner jobs = new JobRunner(Stage.CURVE, published::add, cancelledInStore::contains)) {
            CountDownLatch started = new CountDownLatch(1);
            CompletableFuture<Job> byCall = jobs.submit("exp-a", "team-a", ctx -> {
                started.countDown();
                for (int step = 1; ; step++) {
                    ctx.step(step, 1_000_000, 0, 0, "");
                    Thread.sleep(1);
                }
            });
            started.await();
            jobs.cancel("exp-a/curve", "team-a");
            assertEquals(State.CANCELLED, byCall.get(10, TimeUnit.SECONDS).getState());

            cancelledInStore.add("exp-b"); // the gateway's marker, seen before the job starts
            assertEquals(
                    State.CANCELLED,
                    jobs.submit("exp-b", "team-a", ctx -> {
                                throw new AssertionError("must not run");
                            })
                            .get(10, TimeUnit.SECONDS)
                            .getState());

            Job failed = jobs.submit("exp-c", "team-a", ctx -> {
                        throw new IllegalArgumentException("train.txt:2: field 'label': missing");
                    })
                    .get(10, TimeUnit.SECONDS);
            assertEquals(State.FAILED, failed.getState());
            assertEquals("train.txt:2: field 'label': missing", failed.getError());
            assertEquals(State.FAILED, published.get(published.size() - 1).getState());
            assertEquals(
                    List.of("exp-a/curve", "exp-b/curve", "exp-c/curve"),
                    jobs.list("", "team-a").stream().map(Job::getId).toList());
        }
    }

    @Test
    void aStoppingInstanceWaitsForTheRunningJobsNextCheckpoint() throws Exception {
        try (JobRunner jobs = new JobRunner(Stage.TRAIN, published::add, cancelledInStore::contains)) {
            assertTrue(jobs.awaitCheckpoint(10), "nothing running: nothing to wait for");
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch checkpoint = new CountDownLatch(1);
            CompletableFuture<Job> done = jobs.submit("exp-3", "team-a", ctx -> {
                started.countDown();
                checkpoint.await();
                ctx.checkpointed();
                Thread.sleep(60_000); // would go on; the instance stops after the checkpoint
            });
            assertTrue(started.await(5, TimeUnit.SECONDS), "the job started");
            assertTrue(!jobs.awaitCheckpoint(200), "no checkpoint yet: times out");
            CompletableFuture<Boolean> waiting = new CompletableFuture<>();
            Thread stopping = new Thread(() -> {
                try {
                    waiting.complete(jobs.awaitCheckpoint(10_000));
                } catch (InterruptedException e) {
                    waiting.completeExceptionally(e);
                }
            });
            stopping.start();
            while (stopping.getState() != Thread.State.TIMED_WAITING) {
                Thread.sleep(1); // the stopping instance waits before the job checkpoints
            }
            checkpoint.countDown();
            assertTrue(waiting.get(5, TimeUnit.SECONDS), "returns at the checkpoint, not at the job's end");
            assertTrue(!done.isDone());
        }
    }

    @Test
    void aJobThatRunsOutOfMemoryFailsAloneAndTheNextRuns() throws Exception {
        try (JobRunner jobs = new JobRunner(Stage.TRAIN, published::add, cancelledInStore::contains)) {
            Job failed = jobs.submit("exp-oom", "team-a", ctx -> {
                        throw new OutOfMemoryError("Java heap space");
                    })
                    .get(10, TimeUnit.SECONDS);
            assertEquals(State.FAILED, failed.getState());
            assertEquals("Java heap space", failed.getError());
            assertEquals(
                    State.SUCCEEDED,
                    jobs.submit("exp-next", "team-a", ctx -> {})
                            .get(10, TimeUnit.SECONDS)
                            .getState());
        }
    }

    @Test
    void anInstanceForgetsItsOldestEndedJobsBeyondTheBound() throws Exception {
        try (JobRunner jobs = new JobRunner(Stage.EVAL, published::add, cancelledInStore::contains)) {
            CompletableFuture<Job> last = null;
            for (int i = 0; i < JobRunner.ENDED_KEPT + 5; i++) {
                last = jobs.submit("exp-" + i, "team-a", ctx -> {});
            }
            assertEquals(State.SUCCEEDED, last.get(30, TimeUnit.SECONDS).getState());
            assertEquals(JobRunner.ENDED_KEPT, jobs.list("", "team-a").size());
            assertThrows(NoSuchElementException.class, () -> jobs.get("exp-0/eval", "team-a"), "the oldest is gone");
            assertEquals(State.SUCCEEDED, jobs.get("exp-5/eval", "team-a").getState(), "the newer ones are kept");
        }
    }
}
