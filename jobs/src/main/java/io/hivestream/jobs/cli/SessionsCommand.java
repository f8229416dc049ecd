package io.hivestream.jobs.cli;

import io.hivestream.schemas.internal.Turn;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Shows what the job remembers of a session, read from a savepoint. */
@Command(
        name = "sessions",
        mixinStandardHelpOptions = true,
        description =
                "Shows a session's memory, the turns the job gives its next call, read from a"
                        + " savepoint or retained checkpoint of the job.",
        subcommands = {SessionsCommand.Show.class})
final class SessionsCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description = {
                "Prints the turns a session's memory holds in a savepoint, oldest first.",
                "The savepoint's execute-stage state is read with Flink's State Processor API in",
                "this process (a local Flink runs the read); every session's memory in it is",
                "visited to find this one, so the read takes longer the more state there is."
            })
    static final class Show implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "SESSION_ID", description = "The session's id.")
        String sessionId;

        @Option(
                names = "--savepoint",
                required = true,
                paramLabel = "PATH",
                description =
                        "A savepoint or retained checkpoint of the job: its folder or its"
                                + " _metadata file, as a path or a URI (file:/...).")
        String savepoint;

        @Option(
                names = "--tenant",
                defaultValue = "default",
                paramLabel = "TENANT",
                description =
                        "The session's tenant (default: ${DEFAULT-VALUE}, the tenant of a task"
                                + " that names none).")
        String tenant;

        @Option(
                names = "--memory-ttl",
                defaultValue = "24 h",
                paramLabel = "DURATION",
                converter = DurationConverter.class,
                description =
                        "The job's hivestream.memory.ttl: turns written longer ago are not shown"
                                + " (default: ${DEFAULT-VALUE}).")
        Duration memoryTtl;

        @Option(names = "--json", description = "Print each turn as one JSON object per line.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            List<Turn> turns =
                    SessionMemoryReader.read(
                                    StreamExecutionEnvironment.getExecutionEnvironment(),
                                    savepoint,
                                    tenant,
                                    sessionId,
                                    memoryTtl)
                            .orElseThrow(
                                    () ->
                                            new IllegalArgumentException(
                                                    "the savepoint at "
                                                            + savepoint
                                                            + " holds no memory of session "
                                                            + sessionId
                                                            + " of tenant "
                                                            + tenant
                                                            + "; check the session id and"
                                                            + " --tenant (a session's memory is"
                                                            + " gone --memory-ttl after its last"
                                                            + " turn)."));
            for (int i = 0; i < turns.size(); i++) {
                System.out.println(
                        json
                                ? SessionTurnLines.json(tenant, sessionId, i + 1, turns.get(i))
                                : SessionTurnLines.lines(i + 1, turns.get(i)));
            }
            if (!json) {
                System.out.println(SessionTurnLines.summary(turns.size(), tenant, sessionId));
            }
            return 0;
        }
    }

    /** A duration as Flink's options take it: {@code 24 h}, {@code 30 min}, {@code 90s}. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration duration;
            try {
                duration = TimeUtils.parseDuration(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(
                        "'" + value + "' is not a duration; write it as 24 h, 30 min or 90 s.");
            }
            if (duration.isZero() || duration.isNegative()) {
                throw new CommandLine.TypeConversionException(
                        "'" + value + "' is not a positive duration; write it as 24 h or 30 min.");
            }
            return duration;
        }
    }
}
