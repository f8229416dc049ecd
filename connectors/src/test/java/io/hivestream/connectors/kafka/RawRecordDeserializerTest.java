package io.hivestream.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.internal.RawRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class RawRecordDeserializerTest {
    private static ConsumerRecord<byte[], byte[]> record() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("traceparent", bytes("00-trace"));
        headers.add("hivestream-tenant", bytes("first"));
        headers.add("hivestream-tenant", bytes("acme"));
        headers.add("empty", null);
        return new ConsumerRecord<>(
                "hivestream.tasks",
                2,
                7L,
                1_000L,
                TimestampType.CREATE_TIME,
                1,
                4,
                bytes("k"),
                bytes("{}}}"),
                headers,
                Optional.empty());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static RawRecord deserialize(RawRecordDeserializer deserializer) throws Exception {
        List<RawRecord> out = new ArrayList<>();
        deserializer.deserialize(record(), new ListCollector<>(out));
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    @Test
    void keepsOnlyTheNamedHeaderItsLastValue() throws Exception {
        RawRecord raw = deserialize(new RawRecordDeserializer("hivestream-tenant"));

        assertThat(raw.getHeaders())
                .isEqualTo(Map.of("hivestream-tenant", ByteBuffer.wrap(bytes("acme"))));
        assertThat(raw.getTopic()).isEqualTo("hivestream.tasks");
        assertThat(raw.getPartition()).isEqualTo(2);
        assertThat(raw.getOffset()).isEqualTo(7L);
        assertThat(raw.getTimestamp()).isEqualTo(1_000L);
        assertThat(raw.getKey()).isEqualTo(ByteBuffer.wrap(bytes("k")));
        assertThat(raw.getValue()).isEqualTo(ByteBuffer.wrap(bytes("{}}}")));
    }

    @Test
    void keepsNoHeaderWithoutANameOrWhenTheRecordLacksIt() throws Exception {
        assertThat(deserialize(new RawRecordDeserializer()).getHeaders()).isEqualTo(Map.of());
        assertThat(deserialize(new RawRecordDeserializer("absent")).getHeaders())
                .isEqualTo(Map.of());
        assertThat(deserialize(new RawRecordDeserializer("empty")).getHeaders())
                .isEqualTo(Map.of("empty", ByteBuffer.wrap(new byte[0])));
    }
}
