package io.hivestream.schemas.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Task;
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
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.jupiter.api.Test;

class FastReadersTest {
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
        FastReaders.records()
                .forEach(name -> reached.add(name.substring(name.lastIndexOf('.') + 1)));

        assertThat(declared).hasSize(38);
        assertThat(reached).isEqualTo(declared);
    }

    @Test
    void enablingSwitchesEveryGeneratedClassAndDecodesTheSameRecords() throws IOException {
        FastReaders.enable();

        assertThat(FastReaders.isEnabled(CallReply.class)).isTrue();
        assertThat(FastReaders.isEnabled(Plan.class)).isTrue();
        assertThat(FastReaders.isEnabled(Task.class)).isTrue();
        assertThat(FastReaders.isEnabled(AgentEvent.class)).isTrue();

        AgentEvent agent =
                AgentEvent.newBuilder()
                        .setAgentId("a")
                        .setCapabilities(List.of("chat"))
                        .setParams(Map.of("latencyMs", "5"))
                        .setTimestamp(7L)
                        .build();
        byte[] bytes = write(agent, AgentEvent.getClassSchema());
        SpecificDatumReader<AgentEvent> reader =
                new SpecificDatumReader<>(
                        AgentEvent.getClassSchema(),
                        AgentEvent.getClassSchema(),
                        SpecificData.getForClass(AgentEvent.class));
        assertThat(reader.read(null, DecoderFactory.get().binaryDecoder(bytes, null)))
                .isEqualTo(agent);
    }

    @Test
    void theFastReaderResolvesAnOlderWriterSchema() throws IOException {
        FastReaders.enable();
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
        Task task = reader.read(null, DecoderFactory.get().binaryDecoder(write(old, v1), null));

        assertThat(task.getTaskId()).isEqualTo("t-1");
        assertThat(task.getInput()).isEqualTo("what is 2 + 2?");
        // The same as Avro's resolving reader makes of it, defaults of the newer fields included.
        SpecificData classic = new SpecificData(getClass().getClassLoader());
        assertThat(classic.isFastReaderEnabled()).isFalse();
        assertThat(
                        new SpecificDatumReader<Task>(v1, Task.getClassSchema(), classic)
                                .read(
                                        null,
                                        DecoderFactory.get().binaryDecoder(write(old, v1), null)))
                .isEqualTo(task);
    }

    private static byte[] write(Object record, Schema schema) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<Object>(schema, SpecificData.get()).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}
