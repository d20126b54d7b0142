package dev.loracurve.gateway;

import dev.loracurve.proto.v1.Experiment;
import dev.loracurve.proto.v1.Progress;
import dev.loracurve.proto.v1.WatchExperimentResponse;
import dev.loracurve.service.ExperimentRecords;
import dev.loracurve.service.JobRunner;
import dev.loracurve.service.NotFoundException;
import dev.loracurve.service.Pages;
import dev.loracurve.service.store.Store;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The gateway's view of experiments: one record per experiment in the shared store
 * ({@code experiments/<id>/experiment.binpb}, rewritten whole on each change), so that any gateway
 * instance, restarted or not, answers for any experiment; and the watchers of this instance. Every
 * instance applies every event: the first one writes the change, each one tells its own watchers.
 */
final class Experiments {
    private final Store store;
    private final Map<String, List<Consumer<WatchExperimentResponse>>> watchers = new ConcurrentHashMap<>();

    Experiments(Store store) {
        this.store = store;
    }

    private static String key(String id) {
        return ExperimentRecords.key(id);
    }

    Experiment get(String id) {
        return find(id).orElseThrow(() -> new NotFoundException("experiment", id, ""));
    }

    Optional<Experiment> find(String id) {
        return ExperimentRecords.find(store, id);
    }

    boolean exists(String id) {
        return store.exists(key(id));
    }

    /** Every experiment, oldest first. */
    List<Experiment> list() {
        List<Experiment> out = new ArrayList<>();
        for (String id : store.children("experiments")) {
            find(id).ifPresent(out::add);
        }
        out.sort(Comparator.comparing(Experiments::order));
        return out;
    }

    /** The order of lists and the paging key: creation time, then id. */
    static String order(Experiment e) {
        return Pages.byAge(e.getCreatedMs(), e.getId());
    }

    /** Records a new experiment; false when its record exists (a retried create got there first). */
    boolean create(Experiment e) {
        return store.createIfAbsent(key(e.getId()), e.toByteArray());
    }

    /**
     * Applies a change (a terminal experiment is left as it is), saves it when it changed anything,
     * and tells this instance's watchers, also when another instance saved it first.
     */
    synchronized Experiment update(String id, UnaryOperator<Experiment> change, Progress cause) {
        Experiment now = get(id);
        Experiment next = now;
        if (!JobRunner.terminal(now.getState())) {
            Experiment changed = change.apply(now);
            if (!changed.equals(now)) {
                next = changed.toBuilder()
                        .setUpdatedMs(System.currentTimeMillis())
                        .build();
                store.write(key(id), next.toByteArray());
            }
        }
        notify(id, next, cause);
        return next;
    }

    private void notify(String id, Experiment e, Progress cause) {
        List<Consumer<WatchExperimentResponse>> mine = watchers.getOrDefault(id, List.of());
        if (mine.isEmpty()) {
            return;
        }
        WatchExperimentResponse u = WatchExperimentResponse.newBuilder()
                .setExperiment(e)
                .setProgress(cause == null ? e.getLastProgress() : cause)
                .build();
        for (Consumer<WatchExperimentResponse> w : mine) {
            w.accept(u);
        }
        if (JobRunner.terminal(e.getState())) {
            watchers.remove(id);
        }
    }

    /** Sends the experiment now, then each change until it ends; false when it had ended. */
    synchronized boolean watch(String id, Consumer<WatchExperimentResponse> watcher) {
        Experiment e = get(id);
        watcher.accept(WatchExperimentResponse.newBuilder().setExperiment(e).build());
        if (JobRunner.terminal(e.getState())) {
            return false;
        }
        watchers.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(watcher);
        return true;
    }

    void unwatch(String id, Consumer<WatchExperimentResponse> watcher) {
        watchers.getOrDefault(id, new ArrayList<>()).remove(watcher);
    }
}
