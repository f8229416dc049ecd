package io.hivestream.schemas.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Lineage;
import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.SubtaskResult;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.CallReply;
import io.hivestream.schemas.internal.Plan;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class FastCodersTest {
    private static final Pattern RECORD =
            Pattern.compile("\"type\":\\s*\"record\",\\s*\"name\":\\s*\"(\\w+)\"");

    @Test
    void everyRecordOfTheSchemasIsReachedFromTheRoots() throws IOException {
        Set<String> declared = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/avro"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".avsc")).toList()) {
                Matcher m = RECORD.matcher(Files.readString(file));
                while (m.find()) {
                    declared.add(m.group(1));
                }
            }
        }
        Set<String> reached = new TreeSet<>();
        FastCoders.records()
                .forEach(name -> reached.add(name.substring(name.lastIndexOf('.') + 1)));

        assertThat(declared).hasSize(38);
        assertThat(reached).isEqualTo(declared);
    }

    @Test
    void enablingSwitchesEveryGeneratedClassAndDecodesTheSameRecords() throws IOException {
        FastCoders.enable();

        assertThat(FastCoders.isEnabled(CallReply.class)).isTrue();
        assertThat(FastCoders.isEnabled(Plan.class)).isTrue();
        assertThat(FastCoders.isEnabled(Task.class)).isTrue();
        assertThat(FastCoders.isEnabled(AgentEvent.class)).isTrue();

        AgentEvent agent =
                AgentEvent.newBuilder()
                        .setAgentId("a")
                        .setCapabilities(List.of("chat"))
                        .setParams(Map.of("latencyMs", "5"))
                        .setTimestamp(7L)
                        .build();
        byte[] bytes = write(agent, AgentEvent.getClassSchema(), SpecificData.get());
        SpecificDatumReader<AgentEvent> reader =
                new SpecificDatumReader<>(
                        AgentEvent.getClassSchema(),
                        AgentEvent.getClassSchema(),
                        SpecificData.getForClass(AgentEvent.class));
        assertThat(reader.read(null, DecoderFactory.get().binaryDecoder(bytes, null)))
                .isEqualTo(agent);
    }

    @Test
    void theCustomEncodersWriteTheBytesOfAvrosGenericWriter() throws IOException {
        FastCoders.enable();
        AgentAnswer answer =
                AgentAnswer.newBuilder()
                        .setAgentId("a-1")
                        .setModel("m")
                        .setOutput("42")
                        .setAgreed(true)
                        .setConfidence(0.5)
                        .setLatencyMs(3)
                        .setTokensIn(12)
                        .setTokensOut(1)
                        .setCostUsd(0.0001)
                        .build();
        TaskResult result =
                TaskResult.newBuilder()
                        .setTaskId("t-1")
                        .setSessionId("s-1")
                        .setStatus(TaskStatus.COMPLETED)
                        .setOutput("42")
                        .setStrategy(Strategy.CONSENSUS)
                        .setTier(Tier.EDGE)
                        .setComplexity(0.25)
                        .setAgents(List.of("a-1"))
                        .setAnswers(List.of(answer))
                        .setAgreement(1.0)
                        .setVote("exact")
                        .setCompletedAt(1_767_225_600_000L)
                        .setSubtasks(
                                List.of(
                                        SubtaskResult.newBuilder()
                                                .setTaskId("t-1/a")
                                                .setStep("a")
                                                .setRole("writer")
                                                .setKind("chat")
                                                .setDependsOn(List.of("b"))
                                                .setStatus(TaskStatus.FAILED)
                                                .setError("boom")
                                                .build()))
                        .setMetadata(Map.of("team", "finance"))
                        .setLineage(
                                Lineage.newBuilder()
                                        .setTaskSha256("ab".repeat(32))
                                        .setAnswerSha256(List.of("cd".repeat(32)))
                                        .setSeq(3)
                                        .setSignature("c2ln")
                                        .build())
                        .build();

        assertThat(FastCoders.isEnabled(TaskResult.class)).isTrue();
        assertThat(customBytes(result)).isEqualTo(genericBytes(result));
        AgentEvent agent =
                AgentEvent.newBuilder()
                        .setAgentId("a")
                        .setCapabilities(List.of("chat"))
                        .setParams(Map.of("latencyMs", "5", "model", "m"))
                        .setTimestamp(7L)
                        .build();
        assertThat(customBytes(agent)).isEqualTo(genericBytes(agent));
    }

    @Test
    void theFastReaderResolvesAnOlderWriterSchema() throws IOException {
        FastCoders.enable();
        Schema v1 =
                new Schema.Parser().parse(Path.of("src/main/avro-history/Task.v1.avsc").toFile());
        GenericRecord old = new GenericData.Record(v1);
        old.put("taskId", "t-1");
        old.put("input", "what is 2 + 2?");
        for (Schema.Field field : v1.getFields()) {
            if (old.get(field.name()) == null && field.hasDefaultValue()) {
                old.put(field.name(), GenericData.get().getDefaultValue(field));
            }
        }

        SpecificDatumReader<Task> reader =
                new SpecificDatumReader<>(
                        v1, Task.getClassSchema(), SpecificData.getForClass(Task.class));
        Task task =
                reader.read(
                        null,
                        DecoderFactory.get()
                                .binaryDecoder(write(old, v1, SpecificData.get()), null));

        assertThat(task.getTaskId()).isEqualTo("t-1");
        assertThat(task.getInput()).isEqualTo("what is 2 + 2?");
        // The same as Avro's resolving reader makes of it, defaults of the newer fields included.
        SpecificData classic = new SpecificData(getClass().getClassLoader());
        assertThat(classic.isFastReaderEnabled()).isFalse();
        assertThat(
                        new SpecificDatumReader<Task>(v1, Task.getClassSchema(), classic)
                                .read(
                                        null,
                                        DecoderFactory.get()
                                                .binaryDecoder(
                                                        write(old, v1, SpecificData.get()), null)))
                .isEqualTo(task);
    }

    /** The record's bytes as its class's model writes them, with the custom encoders once on. */
    private static byte[] customBytes(SpecificRecord record) throws IOException {
        return write(record, record.getSchema(), SpecificData.getForClass(record.getClass()));
    }

    /** The record's bytes as Avro's generic writer makes them (a model with no custom encoders). */
    private static byte[] genericBytes(SpecificRecord record) throws IOException {
        return write(
                record,
                record.getSchema(),
                new SpecificData(FastCodersTest.class.getClassLoader()));
    }

    /**
     * The record's bytes as {@code model}'s writer makes them: with its custom encoders when they
     * are on, else Avro's generic writer.
     */
    private static byte[] write(Object record, Schema schema, SpecificData model)
            throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<Object>(schema, model).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}
