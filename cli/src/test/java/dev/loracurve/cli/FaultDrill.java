package dev.loracurve.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loracurve.cli.bench.ProcStatus;
import dev.loracurve.cli.stack.ExperimentClient;
import dev.loracurve.cli.stack.Ports;
import dev.loracurve.cli.stack.Stack;
import dev.loracurve.core.store.Sha256;
import dev.loracurve.core.testing.TinyWorld;
import dev.loracurve.proto.v1.Artifact;
import dev.loracurve.proto.v1.Experiment;
import dev.loracurve.proto.v1.ExperimentSpec;
import dev.loracurve.proto.v1.Stage;
import dev.loracurve.proto.v1.State;
import dev.loracurve.service.JobRunner;
import dev.loracurve.service.testing.EventLog;
import dev.loracurve.service.testing.TestSpecs;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's drill, repeatable: a local stack of real processes (broker, four services)
 * meets kill -9 of each service mid-work, a broker outage mid-run and a load of concurrent
 * experiments, and reports what it survived as figures (stdout and target/fault-drill.md): runs,
 * kills, restarts, experiments, lost and duplicated events, artifacts that differ from an
 * undisturbed run of the same spec, gateway latency under load, the services' memory.
 *
 * <p>Not in the default suite (its name is not *Test): {@code scripts/fault-drill.sh [KILLS] [LOAD]}.
 */
class FaultDrill {
    @TempDir
    static Path dir;

    private Stack stack;
    private ExperimentClient client;
    private ExperimentSpec spec;
    private Experiment reference;
    private final List<String> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final Map<String, Long> peakMemory = new ConcurrentHashMap<>();
    private int failures;

    @Test
    void drill() throws Exception {
        int kills = Integer.getInteger("drill.kills", 2);
        int load = Integer.getInteger("drill.load", 50);
        Files.createDirectories(dir.resolve("data"));
        TinyWorld.write(dir);
        stack = Stack.create(StackCommands.home(), dir.resolve("stack"), Ports.free());
        stack.environment().dataRoots(dir.toString());
        stack.environment().put("LORACURVE_QUOTA_DEFAULTS_MAX_RUNNING", String.valueOf(load + 10));
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread memory = new Thread(() -> sampleMemory(sampling));
        try {
            stack.startBroker();
            stack.startServices(Duration.ofSeconds(180));
            memory.start();
            client = new ExperimentClient(stack.connection("gateway", "drill"));
            spec = TestSpecs.threeOptimaAndACurve(dir);
            long t0 = System.nanoTime();
            reference = client.follow(client.create(spec).getId(), u -> {}, Duration.ofMinutes(10));
            assertEquals(State.SUCCEEDED, reference.getState(), reference.getError());
            System.out.printf("reference run: %.0f s%n", (System.nanoTime() - t0) / 1e9);
            rows.add("| scenario | runs | kills/outages mid-work | restarts | finished | lost events"
                    + " | duplicated events | mismatched artifacts |");
            rows.add("|---|---|---|---|---|---|---|---|");
            killEach("trainer-svc", kills, e -> Files.exists(store(e).resolve("optima/run-1.checkpoint")));
            killEach("curve-svc", kills, e -> Files.exists(store(e).resolve("curve.checkpoint")));
            killEach("eval-svc", kills, e -> stageRunning(e, Stage.EVAL));
            killEach("gateway", kills, e -> Files.exists(store(e).resolve("optima/run-0.checkpoint")));
            brokerOutage(Duration.ofSeconds(15));
            storeRefusesWrites();
            load(load, 5);
        } finally {
            sampling.set(false);
            memory.join(5_000);
            if (client != null) {
                client.close();
            }
            stack.close();
        }
        notes.add("peak resident memory: "
                + peakMemory.entrySet().stream()
                        .sorted(Map.Entry.comparingByKey())
                        .map(m -> m.getKey() + " " + (m.getValue() >> 20) + " MiB")
                        .reduce((a, b) -> a + ", " + b)
                        .orElse("(not measured)"));
        String report = String.join("\n", rows) + "\n\n" + String.join("\n\n", notes) + "\n";
        System.out.println(report);
        Files.writeString(Path.of("target", "fault-drill.md"), report);
        assertEquals(0, failures, "every experiment finishes, nothing lost, duplicated or different:\n" + report);
    }

    /** Runs {@code rounds} experiments, killing {@code service} (kill -9) in each once {@code when} holds. */
    private void killEach(String service, int rounds, Predicate<String> when) throws Exception {
        List<Experiment> done = new ArrayList<>();
        int midWork = 0;
        for (int i = 0; i < rounds; i++) {
            String id = client.create(spec).getId();
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (!when.test(id) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            boolean running = !JobRunner.terminal(client.get(id).getState());
            stack.processes().kill(service);
            midWork += running ? 1 : 0;
            stack.startService(service);
            stack.awaitReady(service, Duration.ofSeconds(180));
            done.add(client.follow(id, u -> {}, Duration.ofMinutes(10)));
        }
        report("kill -9 " + service, done, midWork + " of " + rounds, rounds);
    }

    /** The broker stopped for {@code outage} while an experiment trains, then started again. */
    private void brokerOutage(Duration outage) throws Exception {
        String id = client.create(spec).getId();
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (!Files.exists(store(id).resolve("optima/run-0.checkpoint")) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        boolean running = !JobRunner.terminal(client.get(id).getState());
        stack.processes().kill(Stack.KAFKA);
        Thread.sleep(outage.toMillis());
        stack.startBroker();
        report(
                "broker down " + outage.toSeconds() + " s",
                List.of(client.follow(id, u -> {}, Duration.ofMinutes(10))),
                (running ? 1 : 0) + " of 1",
                1);
    }

    /**
     * The store refuses writes while an experiment trains: its optima folder is made immutable
     * (chattr +i: EPERM even for root, as a read-only or full volume answers). The experiment must
     * fail with the reason, and the folder hold nothing half-written: only checkpoints and
     * optima whose sha256 is the one announced.
     */
    private void storeRefusesWrites() throws Exception {
        String id = client.create(spec).getId();
        Path optima = store(id).resolve("optima");
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (!Files.exists(optima.resolve("run-0.checkpoint")) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        if (!chattr("+i", optima)) {
            rows.add("| store refuses writes | skipped: chattr +i is not permitted here | | | | | | |");
            return;
        }
        Experiment end;
        try {
            end = client.follow(id, u -> {}, Duration.ofMinutes(10));
        } finally {
            chattr("-i", optima);
        }
        List<String> halfWritten = new ArrayList<>();
        Map<String, String> announced = new HashMap<>();
        end.getOptimaList()
                .forEach(a -> announced.put(
                        Path.of(URI.create(a.getUri())).getFileName().toString(), a.getSha256()));
        try (var entries = Files.list(optima)) {
            for (Path p : entries.toList()) {
                String name = p.getFileName().toString();
                boolean checkpoint = name.matches("run-\\d+\\.checkpoint");
                boolean optimum = name.matches("run-\\d+") && Sha256.ofTree(p).equals(announced.get(name));
                if (!checkpoint && !optimum) {
                    halfWritten.add(name);
                }
            }
        }
        boolean clear = end.getState() == State.FAILED && end.getError().startsWith("TRAIN: ");
        failures += (clear ? 0 : 1) + halfWritten.size();
        rows.add(String.format(
                "| store refuses writes (optima folder immutable) | 1 | 1 of 1 | 0 | 0 (%s) | - | - | %d half-written |",
                clear ? "FAILED as it should" : end.getState().name(), halfWritten.size()));
        notes.add("store refusal, the experiment's error: " + end.getError()
                + (halfWritten.isEmpty() ? "" : "; half-written: " + halfWritten));
        System.out.println(rows.get(rows.size() - 1));
    }

    private static boolean chattr(String flag, Path path) throws Exception {
        Process p = new ProcessBuilder("chattr", flag, path.toString())
                .redirectErrorStream(true)
                .start();
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }

    /** {@code experiments} quick experiments from {@code clients} clients at once, Get and List timed meanwhile. */
    private void load(int experiments, int clients) throws Exception {
        ExperimentSpec quick = TestSpecs.quick(dir);
        ExecutorService pool = Executors.newFixedThreadPool(clients + 1);
        List<String> ids = Collections.synchronizedList(new ArrayList<>());
        List<Double> getMs = Collections.synchronizedList(new ArrayList<>());
        List<Double> listMs = Collections.synchronizedList(new ArrayList<>());
        long t0 = System.nanoTime();
        try {
            List<Future<?>> submitted = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int share = experiments / clients + (c < experiments % clients ? 1 : 0);
                submitted.add(pool.submit(() -> {
                    try (ExperimentClient own = new ExperimentClient(stack.connection("gateway", "drill"))) {
                        for (int i = 0; i < share; i++) {
                            ids.add(own.create(quick).getId());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : submitted) {
                f.get();
            }
            // poll as a dashboard would while they run
            Set<String> open = new HashSet<>(ids);
            while (!open.isEmpty()
                    && System.nanoTime() - t0 < Duration.ofMinutes(40).toNanos()) {
                for (String id : List.copyOf(open)) {
                    long s = System.nanoTime();
                    Experiment e = client.get(id);
                    getMs.add((System.nanoTime() - s) / 1e6);
                    if (JobRunner.terminal(e.getState())) {
                        open.remove(id);
                    }
                }
                long s = System.nanoTime();
                client.list(State.STATE_UNSPECIFIED);
                listMs.add((System.nanoTime() - s) / 1e6);
                Thread.sleep(500);
            }
        } finally {
            pool.shutdownNow();
        }
        double minutes = (System.nanoTime() - t0) / 6e10;
        List<Experiment> done = ids.stream().map(client::get).toList();
        report(experiments + " at once, " + clients + " clients", done, "-", 0, false);
        notes.add(String.format(
                "load: %d experiments submitted, %d distinct ids, all ended in %.1f min; gateway latency under load:"
                        + " Get p50 %.1f ms p99 %.1f ms (%d calls), List p50 %.1f ms p99 %.1f ms (%d calls)",
                ids.size(),
                new HashSet<>(ids).size(),
                minutes,
                percentile(getMs, 50),
                percentile(getMs, 99),
                getMs.size(),
                percentile(listMs, 50),
                percentile(listMs, 99),
                listMs.size()));
        if (new HashSet<>(ids).size() != experiments) {
            failures++;
        }
    }

    private void report(String scenario, List<Experiment> done, String midWork, int restarts) {
        report(scenario, done, midWork, restarts, true);
    }

    /** One row: finished, lost and duplicated result events, and (when asked) artifacts against the reference. */
    private void report(String scenario, List<Experiment> done, String midWork, int restarts, boolean compare) {
        Map<String, Map<String, Integer>> events = EventLog.countAll(stack.bootstrapServers(), Duration.ofSeconds(3));
        int finished = 0;
        int lost = 0;
        int duplicated = 0;
        int mismatched = 0;
        for (Experiment e : done) {
            finished += e.getState() == State.SUCCEEDED ? 1 : 0;
            Map<String, Integer> mine = events.getOrDefault(e.getId(), Map.of());
            for (String expected : resultEvents(e)) {
                int n = mine.getOrDefault(expected, 0);
                lost += n == 0 ? 1 : 0;
                duplicated += n > 1 ? n - 1 : 0;
            }
            if (compare && !sameArtifacts(e)) {
                mismatched++;
            }
        }
        failures += (done.size() - finished) + lost + duplicated + mismatched;
        rows.add(String.format(
                "| %s | %d | %s | %d | %d | %d | %d | %s |",
                scenario,
                done.size(),
                midWork,
                restarts,
                finished,
                lost,
                duplicated,
                compare ? String.valueOf(mismatched) : "n/a"));
        System.out.println(rows.get(rows.size() - 1));
    }

    /** The events an experiment must have once each: submitted, K checkpoints, curve, evaluation. */
    private static List<String> resultEvents(Experiment e) {
        String id = e.getId();
        List<String> events = new ArrayList<>();
        events.add("loracurve.v1.ExperimentSubmitted " + id + "/submitted");
        for (int i = 0; i < e.getSpec().getK(); i++) {
            events.add("loracurve.v1.CheckpointAvailable " + id + "/checkpoint/" + i);
        }
        events.add("loracurve.v1.CurveReady " + id + "/curve");
        events.add("loracurve.v1.EvalCompleted " + id + "/eval");
        return events;
    }

    private boolean sameArtifacts(Experiment e) {
        return e.getOptimaList().stream()
                        .map(Artifact::getSha256)
                        .toList()
                        .equals(reference.getOptimaList().stream()
                                .map(Artifact::getSha256)
                                .toList())
                && e.getCurve().getSha256().equals(reference.getCurve().getSha256())
                && e.getReport().getSha256().equals(reference.getReport().getSha256());
    }

    private boolean stageRunning(String id, Stage stage) {
        Experiment e = client.get(id);
        return e.getStage() == stage && e.getState() == State.RUNNING || JobRunner.terminal(e.getState());
    }

    private Path store(String id) {
        return stack.store().resolve("experiments").resolve(id);
    }

    private void sampleMemory(AtomicBoolean on) {
        while (on.get()) {
            for (String name : stack.instances()) {
                ProcessHandle h = stack.processes().handle(name);
                long bytes = h == null ? -1 : ProcStatus.bytes(h.pid(), "VmRSS:");
                peakMemory.merge(name, bytes, Math::max);
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static double percentile(List<Double> values, int p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }
}
