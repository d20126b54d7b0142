package dev.loracurve.cli.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The stack's processes by instance name: started with their output appended to
 * {@code logs/NAME.log}, known by pid and start time (a pid reused by an unrelated process is never
 * taken for ours), and marked on their command line so that {@code down} finds any it did not record.
 */
public final class Processes {
    private final Path logs;
    private final String marker;
    private final Map<String, Long> pids;
    private final Map<String, Long> started;
    private final Map<String, Process> children = new LinkedHashMap<>();

    Processes(Path logs, Path stackDir, Map<String, Long> pids, Map<String, Long> started) {
        this.logs = logs;
        this.marker = "-Dloracurve.stack=" + stackDir.toAbsolutePath().normalize();
        this.pids = new LinkedHashMap<>(pids);
        this.started = new LinkedHashMap<>(started);
    }

    /** The argument that marks this stack's processes; {@link #spawn}'s command line must carry it. */
    String marker() {
        return marker;
    }

    Map<String, Long> pids() {
        return pids;
    }

    Map<String, Long> started() {
        return started;
    }

    Process spawn(String name, List<String> cmd, Map<String, String> env) {
        try {
            Files.createDirectories(logs);
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(
                            logs.resolve(name + ".log").toFile()));
            pb.environment().putAll(env);
            Process p = pb.start();
            children.put(name, p);
            pids.put(name, p.pid());
            started.put(name, startMillis(p.toHandle()));
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /** The process this JVM started as {@code name}, or null. */
    Process child(String name) {
        return children.get(name);
    }

    /** The live process recorded for {@code name}, or null. */
    public ProcessHandle handle(String name) {
        Long pid = pids.get(name);
        if (pid == null) {
            return null;
        }
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(h -> startMillis(h) == started.getOrDefault(name, -1L))
                .orElse(null);
    }

    private static long startMillis(ProcessHandle h) {
        return h.info().startInstant().map(Instant::toEpochMilli).orElse(-1L);
    }

    /** SIGKILL to a process this JVM started: no shutdown hooks, as a crashed node. */
    public void kill(String name) {
        Process p = children.get(name);
        if (p != null) {
            p.destroyForcibly();
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** SIGTERM to each, then waits for each, with SIGKILL for any still running after 15 s (services shut down in 5). */
    void terminate(List<String> names) {
        List<ProcessHandle> live =
                names.stream().map(this::handle).filter(Objects::nonNull).toList();
        live.forEach(ProcessHandle::destroy);
        live.forEach(Processes::terminate);
    }

    /**
     * Stops every recorded process and any other that carries the marker (an instance restarted by
     * hand with the same command line): the services together, then the broker they talk to.
     */
    void stopAll(String broker) {
        List<String> services = new ArrayList<>(pids.keySet());
        services.remove(broker);
        terminate(services);
        List<ProcessHandle> strays = ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .filter(h -> h.info()
                        .arguments()
                        .map(a -> List.of(a).contains(marker))
                        .orElse(false))
                .toList();
        strays.stream().filter(h -> !isBroker(h)).forEach(Processes::terminate);
        terminate(List.of(broker));
        strays.stream().filter(Processes::isBroker).forEach(Processes::terminate);
    }

    private static boolean isBroker(ProcessHandle h) {
        return h.info()
                .arguments()
                .map(a -> List.of(a).stream().anyMatch(x -> x.endsWith("loracurve-local-broker.jar")))
                .orElse(false);
    }

    private static void terminate(ProcessHandle h) {
        h.destroy();
        try {
            h.onExit().get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            h.destroyForcibly();
        }
    }

    /** The last 40 lines of an instance's log. */
    public String tail(String name) {
        Path log = logs.resolve(name + ".log");
        try {
            List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ")";
        }
    }
}
