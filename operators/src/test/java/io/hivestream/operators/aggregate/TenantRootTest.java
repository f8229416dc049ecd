package io.hivestream.operators.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.junit.jupiter.api.Test;

class TenantRootTest {
    @Test
    void aKeyLandsInItsTenantsKeyGroupWhateverItsRoot() {
        for (String tenant : new String[] {"acme", "globex", "default", "t-17", ""}) {
            for (int root = 0; root < 50; root++) {
                TenantRoot key = new TenantRoot(tenant, "root-" + root);
                for (int maxParallelism : new int[] {128, 4096}) {
                    assertThat(KeyGroupRangeAssignment.assignToKeyGroup(key, maxParallelism))
                            .isEqualTo(
                                    KeyGroupRangeAssignment.assignToKeyGroup(
                                            tenant, maxParallelism));
                }
            }
        }
    }

    @Test
    void twoTenantsWithTheSameRootAreTwoKeys() {
        assertThat(new TenantRoot("acme", "r-1"))
                .isEqualTo(new TenantRoot("acme", "r-1"))
                .isNotEqualTo(new TenantRoot("globex", "r-1"))
                .isNotEqualTo(new TenantRoot("acme", "r-2"));
    }

    @Test
    void aSubtasksResultIsKeyedByItsRoot() {
        TaskResult step =
                TaskResult.newBuilder()
                        .setTaskId("r-1/code")
                        .setRootId("r-1")
                        .setTenant("acme")
                        .setStatus(TaskStatus.COMPLETED)
                        .setStrategy(Strategy.DIRECT)
                        .build();

        assertThat(TenantRoot.of(step)).isEqualTo(new TenantRoot("acme", "r-1"));
    }

    @Test
    void flinkSerializesItAsAPojo() throws Exception {
        assertThat(TenantRoot.TYPE).isInstanceOf(PojoTypeInfo.class);
        TypeSerializer<TenantRoot> serializer =
                TenantRoot.TYPE.createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(new TenantRoot("acme", "r-1"), out);

        TenantRoot back = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));

        assertThat(back).isEqualTo(new TenantRoot("acme", "r-1"));
    }
}
