package dev.loracurve.cli;

import dev.loracurve.cli.bench.BenchCommand;
import dev.loracurve.core.config.InvalidConfigException;
import java.util.Optional;
import javax.net.ssl.SSLException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code loracurve} command. */
@Command(
        name = "loracurve",
        mixinStandardHelpOptions = true,
        version = "loracurve 0.1.0",
        description = "LoRA-Curve: epistemic uncertainty of fine-tuned LMs through low-loss curves in LoRA space.",
        subcommands = {
            DemoCommand.class,
            LmCommand.class,
            TasksCommand.class,
            TrainCommand.class,
            CurveCommand.class,
            PathCommand.class,
            EvalCommand.class,
            StudyCommand.class,
            AdaptersCommand.class,
            BenchCommand.class,
            RandomModelCommand.class,
            StackCommands.Up.class,
            StackCommands.Status.class,
            StackCommands.Down.class,
            StackCommands.Restart.class,
            StackCommands.TokenCmd.class,
            StackCommands.Run.class,
            StackCommands.ReportCmd.class,
            StackCommands.ListCmd.class,
            StackCommands.CancelCmd.class,
            StackCommands.TraceCmd.class,
            PredictCommand.class
        })
public final class Main implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code (tests call this in-process). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        // a bad argument or bad input is a message, not a stack trace
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            Exception shown = e;
            if (e instanceof InvalidConfigException invalid && cmd.getCommand() instanceof ConfigFlags named) {
                shown = invalid.renamed(field -> named.flags().getOrDefault(field, field));
            }
            cmd.getErr().println("error: " + Optional.ofNullable(tlsFailure(e)).orElse(shown.getMessage()));
            return 2;
        });
        return cli.execute(args);
    }

    /** What a failed TLS handshake means for a client, in one line; null when none failed. */
    static String tlsFailure(Throwable e) {
        boolean tls = false;
        StringBuilder chain = new StringBuilder();
        for (Throwable c = e; c != null; c = c.getCause()) {
            tls |= c instanceof SSLException;
            chain.append(c.getClass().getSimpleName())
                    .append(": ")
                    .append(c.getMessage())
                    .append('\n');
        }
        if (!tls) {
            return null;
        }
        String all = chain.toString();
        // OpenSSL and the JDK say it differently: a certificate path that ends at no trusted CA
        String why = all.contains("PKIX")
                        || all.contains("certification path")
                        || all.contains("CertPath")
                        || all.contains("CertificateException")
                        || all.contains("unknown_ca")
                ? "its certificate is not signed by the CA this client trusts"
                : all.contains("subject alternative") || all.contains("No name matching")
                        ? "its certificate does not name the address dialled"
                        : all.contains("not an SSL/TLS record")
                                ? "the server does not speak TLS"
                                : "the handshake was refused";
        return "TLS with the server failed: " + why + ". Give the CA that signed the server's certificate"
                + " with --ca FILE (or $LORACURVE_CA; the local stack's is .stack/pki/ca.crt), or --plaintext"
                + " for a server without TLS";
    }
}
