package io.hivestream.schemas.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.Lineage;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.internal.CallRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Test;

class RecordDefaultsTest {
    private static final RecordDefaults<TaskResult> RESULTS = RecordDefaults.of(TaskResult::new);

    @Test
    void everyRecordGetsEachDefaultOfItsSchemaAndKeepsItsOwnValueWhereThereIsNone()
            throws Exception {
        int checked = 0;
        for (String name : FastCoders.records()) {
            Class<?> type = Class.forName(name);
            SpecificData model = SpecificData.getForClass(type);
            SpecificRecordBase untouched = newRecord(type);
            SpecificRecordBase record = RecordDefaults.of(() -> newRecord(type)).make();
            for (Schema.Field field : record.getSchema().getFields()) {
                Object expected =
                        field.hasDefaultValue()
                                ? model.deepCopy(field.schema(), model.getDefaultValue(field))
                                : untouched.get(field.pos());
                assertThat(record.get(field.pos()))
                        .as("%s.%s", type.getSimpleName(), field.name())
                        .isEqualTo(expected);
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(200);
    }

    @Test
    void aFilledRecordIsTheOneItsBuilderMakesToTheByte() throws IOException {
        TaskResult built =
                TaskResult.newBuilder().setTaskId("t-1").setStatus(TaskStatus.COMPLETED).build();
        TaskResult filled = RESULTS.make();
        filled.setTaskId("t-1");
        filled.setStatus(TaskStatus.COMPLETED);

        assertThat(filled).isEqualTo(built);
        assertThat(bytes(filled)).isEqualTo(bytes(built));
        assertThat(filled.getTenant()).isEqualTo("default");
        assertThat(filled.getKind()).isEqualTo("chat");
        assertThat(filled.getAnswers()).isEmpty();
        assertThat(filled.getMetadata()).isEmpty();
        assertThat(filled.getOutput()).isNull();
    }

    @Test
    void numbersStringsAndListsGetTheirDeclaredDefaults() {
        Lineage lineage = RecordDefaults.of(Lineage::new).make();
        assertThat(lineage.getVersion()).isEqualTo(1);
        assertThat(lineage.getBatchSize()).isEqualTo(1);
        assertThat(lineage.getBatchIndex()).isEqualTo(0);
        assertThat(lineage.getSeq()).isEqualTo(0L);
        assertThat(lineage.getPreviousSha256()).isEqualTo("");
        assertThat(lineage.getTaskSha256()).isNull();
        assertThat(lineage.getProof()).isEqualTo(List.of());

        CallRequest request = RecordDefaults.of(CallRequest::new).make();
        assertThat(request.getEscalation()).isEqualTo(List.of());
        assertThat(request.getCascadeThreshold()).isEqualTo(0.0);
        assertThat(request.getTask()).isNull();
        assertThat(request.getChain()).isNull();
    }

    @Test
    void eachRecordHasItsOwnListsAndMaps() {
        TaskResult first = RESULTS.make();
        TaskResult second = RESULTS.make();
        first.getAgents().add("a-1");
        first.getMetadata().put("k", "v");

        assertThat(second.getAgents()).isEmpty();
        assertThat(second.getMetadata()).isEqualTo(Map.of());
        assertThat(RESULTS.make().getAgents()).isEmpty();
    }

    private static SpecificRecordBase newRecord(Class<?> type) {
        try {
            return (SpecificRecordBase) type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(TaskResult result) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        new SpecificDatumWriter<>(TaskResult.class).write(result, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}
