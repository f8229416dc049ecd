package io.hivestream.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.jobs.cli.CliRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./hivestream sessions show}: the job answers the turns of three sessions (two of tenant
 * default, one of tenant acme with the same id as one of them), takes a canonical and a native
 * savepoint and is cancelled, leaving its last checkpoint; the command prints exactly the turns
 * each session's memory holds, oldest first, from each of the three, and says what is wrong when
 * the session, the savepoint or the job's state is not there.
 */
class SessionsShowIT extends KafkaJobCase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void showsTheTurnsASessionsMemoryHoldsInASavepointOrRetainedCheckpoint(
            @TempDir Path checkpoints, @TempDir Path savepoints) throws Exception {
        fixture.register(Agents.simulated("chat-1", List.of("chat"), 0.0, "memory", "true"));
        Configuration conf = fixture.jobConf(checkpoints, false, false);
        conf.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        HivestreamJob.build(
                env, conf, new AgentRuntimes(), Clock.systemUTC(), UnaryOperator.identity());
        Instant started = Instant.now();
        JobClient job = env.executeAsync("sessions-show-it");
        String nativeSavepoint;
        String savepoint;
        try {
            turn("a-1", null, "s-1", "What is a savepoint?");
            turn("b-1", null, "s-2", "hello");
            turn("a-2", null, "s-1", "And a checkpoint?\nIn one line.");
            turn("c-1", "acme", "s-1", "acme asks");
            turn("a-3", null, "s-1", "Thanks");
            turn("b-2", null, "s-2", "bye");
            await().pollInterval(Duration.ofMillis(300))
                    .atMost(Duration.ofMinutes(2))
                    .until(() -> fixture.results().size() >= 6);
            nativeSavepoint =
                    job.triggerSavepoint(
                                    savepoints.resolve("native").toUri().toString(),
                                    SavepointFormatType.NATIVE)
                            .get();
            savepoint =
                    job.triggerSavepoint(
                                    savepoints.resolve("canonical").toUri().toString(),
                                    SavepointFormatType.CANONICAL)
                            .get();
        } finally {
            // Cancelled, the job leaves its last checkpoint behind.
            stop(job);
        }
        await().atMost(Duration.ofMinutes(1))
                .until(() -> job.getJobStatus().get() == JobStatus.CANCELED);
        Instant stopped = Instant.now();

        // The memory as JSON lines: the turns' fields, and when each was answered.
        CliRunner.Run json =
                CliRunner.run("sessions", "show", "s-1", "--savepoint", savepoint, "--json");
        assertThat(json.err()).isEmpty();
        assertThat(json.exitCode()).isZero();
        List<Long> at = times(json.out());
        assertThat(at).hasSize(3);
        assertThat(at)
                .isSorted()
                .allSatisfy(
                        time -> assertThat(Instant.ofEpochMilli(time)).isBetween(started, stopped));
        assertThat(json.out())
                .isEqualTo(
                        jsonLine("default", "s-1", 1, "a-1", at.get(0), "What is a savepoint?")
                                + jsonLine(
                                        "default",
                                        "s-1",
                                        2,
                                        "a-2",
                                        at.get(1),
                                        "And a checkpoint?\nIn one line.")
                                + jsonLine("default", "s-1", 3, "a-3", at.get(2), "Thanks"));

        CliRunner.Run shown = CliRunner.run("sessions", "show", "s-1", "--savepoint", savepoint);
        assertThat(shown.err()).isEmpty();
        assertThat(shown.exitCode()).isZero();
        assertThat(shown.out())
                .isEqualTo(
                        "turn 1 at "
                                + Instant.ofEpochMilli(at.get(0))
                                + ": task a-1, answered by chat-1\n"
                                + "  input:  What is a savepoint?\n"
                                + "  output: [turn 1] simulated chat reply to: What is a savepoint?\n"
                                + "turn 2 at "
                                + Instant.ofEpochMilli(at.get(1))
                                + ": task a-2, answered by chat-1\n"
                                + "  input:  And a checkpoint?\n"
                                + "          In one line.\n"
                                + "  output: [turn 2] simulated chat reply to: And a checkpoint?\n"
                                + "          In one line.\n"
                                + "turn 3 at "
                                + Instant.ofEpochMilli(at.get(2))
                                + ": task a-3, answered by chat-1\n"
                                + "  input:  Thanks\n"
                                + "  output: [turn 3] simulated chat reply to: Thanks\n"
                                + "3 turn(s) in the memory of session s-1 of tenant default\n");

        // The same id in another tenant is another session.
        CliRunner.Run acme =
                CliRunner.run(
                        "sessions",
                        "show",
                        "s-1",
                        "--tenant",
                        "acme",
                        "--savepoint",
                        savepoint,
                        "--json");
        assertThat(acme.err()).isEmpty();
        assertThat(acme.out())
                .isEqualTo(
                        jsonLine("acme", "s-1", 1, "c-1", times(acme.out()).get(0), "acme asks"));

        // A native savepoint and the last retained checkpoint hold the same memory.
        assertThat(
                        CliRunner.run(
                                        "sessions",
                                        "show",
                                        "s-1",
                                        "--savepoint",
                                        nativeSavepoint,
                                        "--json")
                                .out())
                .isEqualTo(json.out());
        Path checkpoint = lastCheckpoint(checkpoints.resolve(job.getJobID().toHexString()));
        assertThat(
                        CliRunner.run(
                                        "sessions",
                                        "show",
                                        "s-1",
                                        "--savepoint",
                                        checkpoint.toString(),
                                        "--json")
                                .out())
                .isEqualTo(json.out());

        CliRunner.Run unknown = CliRunner.run("sessions", "show", "s-3", "--savepoint", savepoint);
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.out()).isEmpty();
        assertThat(unknown.err()).isEqualTo(noMemory(savepoint, "s-3"));

        // Read with a TTL shorter than the turns' age, the memory has expired.
        CliRunner.Run expired =
                CliRunner.run(
                        "sessions",
                        "show",
                        "s-2",
                        "--savepoint",
                        savepoint,
                        "--memory-ttl",
                        "1 ms");
        assertThat(expired.exitCode()).isEqualTo(1);
        assertThat(expired.err()).isEqualTo(noMemory(savepoint, "s-2"));
        CliRunner.Run hour =
                CliRunner.run(
                        "sessions",
                        "show",
                        "s-2",
                        "--savepoint",
                        savepoint,
                        "--memory-ttl",
                        "1 h",
                        "--json");
        List<Long> s2At = times(hour.out());
        assertThat(hour.out())
                .isEqualTo(
                        jsonLine("default", "s-2", 1, "b-1", s2At.get(0), "hello")
                                + jsonLine("default", "s-2", 2, "b-2", s2At.get(1), "bye"));
    }

    @Test
    void saysWhatIsWrongWithThePathItIsGiven(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("no-such-savepoint");
        CliRunner.Run none =
                CliRunner.run("sessions", "show", "s-1", "--savepoint", missing.toString());
        assertThat(none.exitCode()).isEqualTo(1);
        assertThat(none.err())
                .isEqualTo(
                        "error: no savepoint or checkpoint at "
                                + missing
                                + " (no such folder, or no _metadata file in it); give the folder"
                                + " that stopping the job with a savepoint printed, or the chk-N"
                                + " folder of a retained checkpoint.\n");

        Path garbage = Files.createDirectories(dir.resolve("garbage"));
        Files.writeString(garbage.resolve("_metadata"), "not a savepoint");
        CliRunner.Run unreadable =
                CliRunner.run("sessions", "show", "s-1", "--savepoint", garbage.toString());
        assertThat(unreadable.exitCode()).isEqualTo(1);
        assertThat(unreadable.err())
                .startsWith("error: cannot read a savepoint at " + garbage + " (")
                .endsWith(
                        "); give the folder of a savepoint or retained checkpoint of the Hivestream job.\n");

        // A savepoint of another job: keyed state under another operator's uid.
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.fromSource(
                        KafkaSource.<String>builder()
                                .setBootstrapServers(fixture.kafka.bootstrapServers())
                                .setTopics(KafkaJobFixture.TENANTS)
                                .setGroupId("another-job")
                                .setStartingOffsets(OffsetsInitializer.earliest())
                                .setValueOnlyDeserializer(new SimpleStringSchema())
                                .build(),
                        WatermarkStrategy.noWatermarks(),
                        "tenants")
                .keyBy(value -> value, Types.STRING)
                .process(new Counts())
                .uid("counter")
                .sinkTo(new DiscardingSink<>());
        JobClient another = env.executeAsync("another job");
        String other;
        try {
            // A stop is refused until every task runs.
            other =
                    await().atMost(Duration.ofMinutes(1))
                            .pollInterval(Duration.ofMillis(200))
                            .ignoreExceptions()
                            .until(
                                    () ->
                                            another.stopWithSavepoint(
                                                            false,
                                                            dir.resolve("other").toUri().toString(),
                                                            SavepointFormatType.CANONICAL)
                                                    .get(),
                                    Objects::nonNull);
        } finally {
            if (!another.getJobStatus().get().isGloballyTerminalState()) {
                stop(another);
            }
        }
        CliRunner.Run notOurs = CliRunner.run("sessions", "show", "s-1", "--savepoint", other);
        assertThat(notOurs.exitCode()).isEqualTo(1);
        assertThat(notOurs.err())
                .isEqualTo(
                        "error: the savepoint at "
                                + other
                                + " holds no state of an operator with uid execute, so it is not"
                                + " one of the Hivestream job; give a savepoint of the Hivestream"
                                + " job.\n");
    }

    /** Keyed state of a job that is not Hivestream. */
    static final class Counts extends KeyedProcessFunction<String, String, Long> {
        private transient ValueState<Long> count;

        @Override
        public void open(OpenContext context) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
        }

        @Override
        public void processElement(String value, Context context, Collector<Long> out)
                throws Exception {
            long next = count.value() == null ? 1 : count.value() + 1;
            count.update(next);
            out.collect(next);
        }
    }

    /** When each turn printed as a JSON line was answered. */
    private static List<Long> times(String jsonLines) throws IOException {
        List<Long> times = new ArrayList<>();
        for (String line : jsonLines.lines().toList()) {
            times.add(JSON.readTree(line).get("at").asLong());
        }
        return times;
    }

    private static String jsonLine(
            String tenant, String session, int number, String taskId, long at, String input) {
        return JSON.createObjectNode()
                        .put("tenant", tenant)
                        .put("sessionId", session)
                        .put("turn", number)
                        .put("taskId", taskId)
                        .put("agentId", "chat-1")
                        .put("at", at)
                        .put("input", input)
                        .put("output", "[turn " + number + "] simulated chat reply to: " + input)
                        .toString()
                + "\n";
    }

    /** The newest chk-N folder the job left, with its metadata. */
    private static Path lastCheckpoint(Path jobCheckpoints) throws IOException {
        try (Stream<Path> folders = Files.list(jobCheckpoints)) {
            return folders.filter(folder -> folder.getFileName().toString().startsWith("chk-"))
                    .filter(folder -> Files.exists(folder.resolve("_metadata")))
                    .max(
                            Comparator.comparingInt(
                                    folder ->
                                            Integer.parseInt(
                                                    folder.getFileName()
                                                            .toString()
                                                            .substring("chk-".length()))))
                    .orElseThrow();
        }
    }

    private static void turn(String taskId, String tenant, String session, String input)
            throws Exception {
        ObjectNode task =
                JSON.createObjectNode()
                        .put("taskId", taskId)
                        .put("sessionId", session)
                        .put("input", input);
        if (tenant != null) {
            task.put("tenant", tenant);
        }
        fixture.sendJson(KafkaJobFixture.TASKS, session, task.toString());
    }

    /** The error for a session the savepoint holds no memory of. */
    private static String noMemory(String savepoint, String session) {
        return "error: the savepoint at "
                + savepoint
                + " holds no memory of session "
                + session
                + " of tenant default; check the session id and --tenant (a session's memory is"
                + " gone --memory-ttl after its last turn).\n";
    }
}
