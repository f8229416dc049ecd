package io.hivestream.jobs.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ./hivestream} command line. */
@Command(
        name = "hivestream",
        mixinStandardHelpOptions = true,
        version = "hivestream 0.1.0",
        description = "Runs fleets of AI agents as one Apache Flink job over Kafka.",
        subcommands = {
            DemoCommand.class,
            SubmitCommand.class,
            ResultsCommand.class,
            AgentsCommand.class,
            ConsoleCommand.class,
            TenantsCommand.class,
            DlqCommand.class,
            TopCommand.class,
            SessionsCommand.class,
            RunCommand.class,
            TopicsCommand.class,
            AclsCommand.class,
            DeployCommand.class,
            AnalyzeCommand.class,
            TrainRouterCommand.class,
            ModelsCommand.class,
            KeysCommand.class,
            VerifyCommand.class,
            CommandLine.HelpCommand.class
        })
public final class HivestreamCli implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with its error handling, for running commands in this JVM. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new HivestreamCli());
        cli.setExecutionExceptionHandler(
                (e, commandLine, parseResult) -> {
                    commandLine.getErr().println("error: " + CliErrors.explain(e));
                    return 1;
                });
        return cli;
    }
}
