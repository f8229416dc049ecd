package io.hivestream.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What {@code ./hivestream --help} says of each command. */
class HelpTest {
    @Test
    void everyCommandsSummaryIsAWholeSentence() {
        List<String> summaries = new ArrayList<>();
        collect(HivestreamCli.commandLine(), summaries);

        assertThat(summaries).hasSizeGreaterThan(12);
        assertThat(summaries)
                .allSatisfy(
                        summary ->
                                assertThat(summary)
                                        .as("the summary of a command")
                                        .matches("[^:]+: [A-Z].*\\.")
                                        .doesNotEndWith(" ."));
    }

    @Test
    void theTopLevelHelpListsEveryCommandWithItsSentence() {
        CliRunner.Run help = CliRunner.run("--help");

        assertThat(help.exitCode()).isZero();
        // A command's line starts two spaces in; a summary too long for one line goes on below.
        List<String> commands = new ArrayList<>();
        for (String line :
                help.out().lines().dropWhile(line -> !line.equals("Commands:")).skip(1).toList()) {
            if (line.startsWith("  ") && !line.startsWith("   ")) {
                commands.add(line.strip());
            } else {
                int last = commands.size() - 1;
                commands.set(last, commands.get(last) + " " + line.strip());
            }
        }
        assertThat(commands)
                .extracting(line -> line.split("\\s+")[0])
                .containsExactly(
                        "demo",
                        "submit",
                        "results",
                        "agents",
                        "console",
                        "tenants",
                        "dlq",
                        "top",
                        "sessions",
                        "run",
                        "topics",
                        "acls",
                        "deploy",
                        "analyze",
                        "train-router",
                        "models",
                        "keys",
                        "verify",
                        "help");
        assertThat(commands).allSatisfy(line -> assertThat(line).endsWith("."));
    }

    @Test
    void noHelpTextSaysNullWhereItMeantAPlaceholder() {
        // picocli reads ${env:NAME} in a description as its own variable: unescaped, the help
        // printed "null".
        List<String> helps = new ArrayList<>();
        helps(HivestreamCli.commandLine(), helps);

        assertThat(helps).hasSizeGreaterThan(12);
        assertThat(helps).allSatisfy(help -> assertThat(help).doesNotContainPattern("\\bnull\\b"));
        assertThat(CliRunner.run("deploy", "--help").out().replaceAll("\\s+", " "))
                .contains("secrets as ${env:NAME} or ${file:PATH:")
                .contains("--claim-mode=CLAIM|NO_CLAIM");
    }

    private static void helps(CommandLine command, List<String> helps) {
        for (CommandLine sub : command.getSubcommands().values()) {
            helps.add(sub.getUsageMessage(CommandLine.Help.Ansi.OFF));
            helps(sub, helps);
        }
    }

    private static void collect(CommandLine command, List<String> summaries) {
        for (CommandLine sub : command.getSubcommands().values()) {
            // What the list of commands shows: the header's first line, else the description's.
            var usage = sub.getCommandSpec().usageMessage();
            String[] summary = usage.header().length > 0 ? usage.header() : usage.description();
            summaries.add(
                    sub.getCommandSpec().qualifiedName()
                            + ": "
                            + (summary.length == 0 ? "" : summary[0]));
            collect(sub, summaries);
        }
    }
}
