package dev.loracurve.cli;

import dev.loracurve.cli.bench.BenchCommand;
import dev.loracurve.core.config.InvalidConfigException;
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
            StackCommands.TraceCmd.class
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
            cmd.getErr().println("error: " + shown.getMessage());
            return 2;
        });
        return cli.execute(args);
    }
}
