package dev.loracurve.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loracurve.cli.stack.Connection;
import dev.loracurve.cli.stack.ExperimentClient;
import dev.loracurve.cli.stack.Ports;
import dev.loracurve.cli.stack.SpecFile;
import dev.loracurve.cli.stack.Stack;
import dev.loracurve.cli.stack.TraceTree;
import dev.loracurve.proto.v1.Experiment;
import dev.loracurve.proto.v1.Report;
import dev.loracurve.proto.v1.State;
import dev.loracurve.report.ReportPage;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The local stack (up, status, down) and its client commands (run, report). */
final class StackCommands {
    private StackCommands() {}

    static Path home() {
        return Path.of(System.getProperty("loracurve.home", "."))
                .toAbsolutePath()
                .normalize();
    }

    static Path defaultDir() {
        return home().resolve(".stack");
    }

    /** Where the stack commands find the stack. */
    static final class Where {
        @Option(names = "--dir", description = "stack folder: logs, store, broker data (default: .stack)")
        Path dir;

        Path dir() {
            return dir == null ? defaultDir() : dir;
        }
    }

    /**
     * Where and as whom the client commands reach the gateway: --gateway (else the local stack's),
     * the bearer token (--token or LORACURVE_TOKEN; on the local stack without one, a token of team
     * "local" signed with the stack's key), and the CA to trust (--ca or LORACURVE_CA; the local
     * stack's own; else the system's roots).
     */
    static final class GatewayAt {
        @Mixin
        Where where;

        @Option(names = "--gateway", description = "host:port (default: the local stack's)")
        String gateway;

        @Option(names = "--token", description = "bearer token (default: $LORACURVE_TOKEN)")
        String token;

        @Option(names = "--ca", description = "PEM CA certificate to trust (default: $LORACURVE_CA)")
        Path ca;

        @Option(names = "--plaintext", description = "no TLS (a gateway without TLS)")
        boolean plaintext;

        Connection connection() {
            return connection("gateway");
        }

        /**
         * The connection to --gateway, else to {@code localInstance} of the local stack (the eval
         * stage serves predictions; on a cluster the public endpoint routes them there by service).
         */
        Connection connection(String localInstance) {
            String t = token != null ? token : System.getenv("LORACURVE_TOKEN");
            Path trust = ca != null
                    ? ca
                    : Optional.ofNullable(System.getenv("LORACURVE_CA"))
                            .map(Path::of)
                            .orElse(null);
            if (gateway != null) {
                return new Connection(gateway, t, trust, plaintext);
            }
            Stack s = running(where.dir());
            Connection local = s.connection(localInstance, "local");
            return new Connection(
                    local.target(), t != null ? t : local.token(), trust != null ? trust : local.ca(), false);
        }
    }

    static Stack running(Path dir) {
        Stack s = Stack.read(home(), dir);
        if (s == null) {
            throw new IllegalStateException("no stack at " + dir + ": start one with ./loracurve up");
        }
        return s;
    }

    /** Starts the broker and the four services, waits until each is ready; returns the stack. */
    static Stack up(Path dir, PrintStream out) {
        return up(dir, Map.of(), out);
    }

    /** Starts the broker and the services ({@code instances} of each, default 1); returns the stack. */
    static Stack up(Path dir, Map<String, Integer> instances, PrintStream out) {
        return up(dir, instances, false, null, out);
    }

    /**
     * Starts the broker (its clients on mutual TLS when {@code kafkaTls}) and the services, which
     * read models and data under {@code dataRoots} (':'-separated; null: LORACURVE_DATA_ROOTS, else
     * the current folder's tree).
     */
    static Stack up(Path dir, Map<String, Integer> instances, boolean kafkaTls, String dataRoots, PrintStream out) {
        Stack old = Stack.read(home(), dir);
        if (old != null && old.alive(Stack.KAFKA)) {
            throw new IllegalStateException(
                    "a stack is already running at " + dir + " (./loracurve status, ./loracurve down)");
        }
        Stack s = Stack.create(home(), dir, Ports.defaults()).kafkaTls(kafkaTls);
        if (dataRoots != null) {
            s.environment().dataRoots(dataRoots);
        }
        try {
            long t0 = System.nanoTime();
            s.startBroker();
            out.printf("kafka        %s  ready%n", s.bootstrapServers());
            s.startServices(Duration.ofSeconds(120), instances);
            for (String name : s.instances()) {
                if (!name.equals(Stack.KAFKA)) {
                    out.printf(
                            "%-14s 127.0.0.1:%d  ready (gRPC; /q/health and /q/metrics on %d)%n",
                            name, s.port(name), s.managementPort(name));
                }
            }
            out.printf(
                    "stack up in %.1f s; logs in %s, store in %s; specs may read models and data under %s%n",
                    (System.nanoTime() - t0) / 1e9,
                    s.logs(),
                    s.store(),
                    s.environment().dataRoots());
            return s;
        } catch (RuntimeException e) {
            s.down();
            throw e;
        }
    }

    @Command(
            name = "up",
            mixinStandardHelpOptions = true,
            description =
                    "Start a single-node Kafka broker and the four services on loopback; return when all are ready.")
    static final class Up implements Runnable {
        @Mixin
        Where where;

        @Option(
                names = "--scale",
                split = ",",
                description =
                        "instances per service, e.g. trainer=2,eval=2 (trainer, curve, eval, gateway; default 1 each)")
        Map<String, Integer> scale = new LinkedHashMap<>();

        @Option(
                names = "--kafka-tls",
                description = "the broker's clients (the services) on mutual TLS with the stack's certificates")
        boolean kafkaTls;

        @Option(
                names = "--data-root",
                description = "a folder or s3:// prefix specs may read models and data from (repeatable;"
                        + " default: $LORACURVE_DATA_ROOTS, ':'-separated, else the current folder's tree)")
        List<String> dataRoots = new ArrayList<>();

        @Override
        public void run() {
            Map<String, Integer> instances = new LinkedHashMap<>();
            scale.forEach((name, n) -> {
                String svc = name.equals("gateway") || name.endsWith("-svc") ? name : name + "-svc";
                if (!Stack.SERVICES.contains(svc) || n < 1) {
                    throw new IllegalArgumentException("--scale: '" + name + "=" + n
                            + "' needs one of trainer, curve, eval, gateway and a count >= 1");
                }
                instances.put(svc, n);
            });
            List<String> roots = dataRoots.stream()
                    .map(r -> r.startsWith("s3://")
                            ? r
                            : Path.of(r).toAbsolutePath().normalize().toString())
                    .toList();
            up(where.dir(), instances, kafkaTls, roots.isEmpty() ? null : String.join(":", roots), System.out);
        }
    }

    @Command(
            name = "restart",
            mixinStandardHelpOptions = true,
            description = "Stop one service instance of the local stack (or kafka) and start it again as it was.")
    static final class Restart implements Runnable {
        @Parameters(
                paramLabel = "INSTANCE",
                description = "trainer-svc, curve-svc, eval-svc, gateway, trainer-svc-2, …, kafka")
        String instance;

        @Mixin
        Where where;

        @Override
        public void run() {
            Stack s = running(where.dir());
            if (!s.instances().contains(instance)) {
                throw new IllegalArgumentException(
                        "no instance '" + instance + "' in this stack (" + String.join(", ", s.instances()) + ")");
            }
            s.restart(instance, Duration.ofSeconds(120));
            System.out.println(instance + " restarted");
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Health of kafka and each service.")
    static final class Status implements Callable<Integer> {
        @Mixin
        Where where;

        @Override
        public Integer call() {
            Stack s = running(where.dir());
            List<String> names = s.instances();
            int down = 0;
            for (String n : names) {
                boolean ready = s.ready(n);
                down += ready ? 0 : 1;
                System.out.printf(
                        "%-12s 127.0.0.1:%-5d %s%n",
                        n, s.port(n), ready ? "ready" : s.alive(n) ? "starting / unhealthy" : "down");
            }
            return down == 0 ? 0 : 1;
        }
    }

    @Command(
            name = "trace",
            mixinStandardHelpOptions = true,
            description = "The span tree of an experiment's trace, from the local stack's trace files.")
    static final class TraceCmd implements Callable<Integer> {
        @Parameters(paramLabel = "ID")
        String id;

        @Mixin
        Where where;

        @Override
        public Integer call() {
            List<String> tree =
                    TraceTree.render(TraceTree.read(running(where.dir()).traces()), id);
            if (tree.isEmpty()) {
                System.err.println(
                        "no spans of experiment " + id + " in " + where.dir().resolve("traces"));
                return 1;
            }
            tree.forEach(System.out::println);
            return 0;
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true, description = "Stop the local stack.")
    static final class Down implements Runnable {
        @Mixin
        Where where;

        @Override
        public void run() {
            running(where.dir()).down();
            System.out.println("stack stopped");
        }
    }

    @Command(
            name = "run",
            mixinStandardHelpOptions = true,
            description =
                    "Submit an experiment (YAML mirroring ExperimentSpec) to the gateway and stream its progress.")
    static final class Run implements Callable<Integer> {
        @Parameters(paramLabel = "SPEC.yaml")
        Path spec;

        @Mixin
        GatewayAt gatewayAt;

        @Option(names = "--detach", description = "print the id and return without following")
        boolean detach;

        @Override
        public Integer call() {
            try (ExperimentClient c = new ExperimentClient(gatewayAt.connection())) {
                Experiment e = c.create(SpecFile.read(spec));
                System.out.println("experiment " + e.getId());
                if (detach) {
                    return 0;
                }
                Experiment end = c.follow(e.getId(), u -> {
                    if (u.hasProgress()) {
                        System.out.println(ExperimentClient.line(u.getProgress()));
                    }
                });
                System.out.println("experiment " + end.getId() + ": " + end.getState()
                        + (end.getError().isEmpty() ? "" : " (" + end.getError() + ")"));
                if (end.getState() == State.SUCCEEDED) {
                    System.out.println("report: ./loracurve report " + end.getId());
                }
                return end.getState() == State.SUCCEEDED ? 0 : 1;
            }
        }
    }

    @Command(
            name = "report",
            mixinStandardHelpOptions = true,
            description = "Fetch an experiment's report from the gateway.")
    static final class ReportCmd implements Runnable {
        @Parameters(paramLabel = "ID")
        String id;

        @Mixin
        GatewayAt gatewayAt;

        @Option(names = "--json", description = "print report.json instead of the table")
        boolean json;

        @Override
        public void run() {
            try (ExperimentClient c = new ExperimentClient(gatewayAt.connection())) {
                Report r = c.report(id);
                if (json) {
                    System.out.println(r.getJson());
                } else {
                    System.out.print(ReportPage.table(new ObjectMapper().readTree(r.getJson())));
                    System.out.println("report.json: " + r.getReportJson().getUri() + " (sha256 "
                            + r.getReportJson().getSha256() + ")");
                    System.out.println("report.html: " + r.getHtmlUri());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Command(name = "experiments", mixinStandardHelpOptions = true, description = "List the gateway's experiments.")
    static final class ListCmd implements Runnable {
        @Mixin
        GatewayAt gatewayAt;

        @Option(
                names = "--state",
                defaultValue = "STATE_UNSPECIFIED",
                description = "Only experiments in this state: QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED.")
        State state;

        @Override
        public void run() {
            try (ExperimentClient c = new ExperimentClient(gatewayAt.connection())) {
                for (Experiment e : c.list(state)) {
                    System.out.printf(
                            "%-14s %-10s %-6s %s%s%n",
                            e.getId(),
                            e.getState(),
                            e.getStage(),
                            e.getSpec().getName(),
                            e.getError().isEmpty() ? "" : "  (" + e.getError() + ")");
                }
            }
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel a queued or running experiment.")
    static final class CancelCmd implements Runnable {
        @Parameters(paramLabel = "ID")
        String id;

        @Mixin
        GatewayAt gatewayAt;

        @Override
        public void run() {
            try (ExperimentClient c = new ExperimentClient(gatewayAt.connection())) {
                Experiment e = c.cancel(id);
                System.out.println("experiment " + e.getId() + ": " + e.getState());
            }
        }
    }

    @Command(
            name = "token",
            mixinStandardHelpOptions = true,
            description = "Print a bearer token signed with the local stack's key (development only; production uses"
                    + " its OIDC provider's tokens).")
    static final class TokenCmd implements Runnable {
        @Option(names = "--team", required = true, description = "the team claim: the team owns what it creates")
        String team;

        @Option(names = "--ttl", defaultValue = "PT12H", description = "validity, ISO-8601 (default ${DEFAULT-VALUE})")
        Duration ttl;

        @Mixin
        Where where;

        @Override
        public void run() {
            System.out.println(running(where.dir()).token(team, ttl));
        }
    }
}
