package dev.loracurve.gateway;

import dev.loracurve.core.store.ArtifactStore;
import dev.loracurve.core.store.AtomicFiles;
import dev.loracurve.proto.v1.Experiment;
import dev.loracurve.proto.v1.ExperimentUpdate;
import dev.loracurve.proto.v1.Progress;
import dev.loracurve.service.JobRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The gateway's view of experiments: one record per experiment in the store
 * ({@code experiments/<id>/experiment.binpb}, rewritten atomically on each change, so a restarted
 * gateway knows them all), and the watchers of each.
 */
final class Experiments {
    private static final String FILE = "experiment.binpb";
    private final ArtifactStore store;
    private final Map<String, List<Consumer<ExperimentUpdate>>> watchers = new ConcurrentHashMap<>();

    Experiments(ArtifactStore store) {
        this.store = store;
    }

    synchronized Experiment get(String id) {
        Path f = file(id);
        if (!Files.exists(f)) {
            throw new NoSuchElementException("no experiment '" + id + "'");
        }
        try {
            return Experiment.parseFrom(Files.readAllBytes(f));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    synchronized boolean exists(String id) {
        return Files.exists(file(id));
    }

    synchronized List<Experiment> list() {
        Path root = store.root().resolve("experiments");
        List<Experiment> out = new ArrayList<>();
        if (Files.isDirectory(root)) {
            try (Stream<Path> dirs = Files.list(root)) {
                for (Path d : (Iterable<Path>) dirs.sorted()::iterator) {
                    if (Files.exists(d.resolve(FILE))) {
                        out.add(get(d.getFileName().toString()));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        out.sort(Comparator.comparingLong(Experiment::getCreatedMs));
        return out;
    }

    synchronized void create(Experiment e) {
        save(e);
    }

    /** Applies a change, saves it and tells the watchers; a terminal experiment is left as it is. */
    Experiment update(String id, UnaryOperator<Experiment> change, Progress cause) {
        Experiment next;
        synchronized (this) {
            Experiment now = get(id);
            if (JobRunner.terminal(now.getState())) {
                return now;
            }
            next = change.apply(now).toBuilder()
                    .setUpdatedMs(System.currentTimeMillis())
                    .build();
            if (next.equals(now)) {
                return now;
            }
            save(next);
        }
        ExperimentUpdate u = ExperimentUpdate.newBuilder()
                .setExperiment(next)
                .setProgress(cause == null ? next.getLastProgress() : cause)
                .build();
        for (Consumer<ExperimentUpdate> w : watchers.getOrDefault(id, List.of())) {
            w.accept(u);
        }
        if (JobRunner.terminal(next.getState())) {
            watchers.remove(id);
        }
        return next;
    }

    /** Sends the experiment now, then each change until it ends; false when it had ended. */
    synchronized boolean watch(String id, Consumer<ExperimentUpdate> watcher) {
        Experiment e = get(id);
        watcher.accept(ExperimentUpdate.newBuilder().setExperiment(e).build());
        if (JobRunner.terminal(e.getState())) {
            return false;
        }
        watchers.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(watcher);
        return true;
    }

    void unwatch(String id, Consumer<ExperimentUpdate> watcher) {
        watchers.getOrDefault(id, new ArrayList<>()).remove(watcher);
    }

    private Path file(String id) {
        return store.experiment(id).resolve(FILE);
    }

    private void save(Experiment e) {
        AtomicFiles.write(file(e.getId()), ByteBuffer.wrap(e.toByteArray()));
    }
}
