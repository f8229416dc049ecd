package io.hivestream.operators.route;

import static io.hivestream.operators.testing.TestRecords.agent;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.AgentEventType;
import io.hivestream.schemas.Tier;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentRegistryTest {
    private final Map<String, AgentEvent> map = new HashMap<>();
    private final AgentRegistry.Store store = AgentRegistry.of(map);

    private static AgentEvent event(String id, AgentEventType type, List<String> capabilities) {
        return agent(id, capabilities).setType(type).build();
    }

    @Test
    void registerStoresTheAgentStampedWithNow() throws Exception {
        AgentEvent register = event("a1", AgentEventType.REGISTER, List.of("chat"));

        assertThat(AgentRegistry.apply(store, register, 500)).isTrue();
        assertThat(map)
                .containsExactly(
                        Map.entry(
                                "a1", AgentEvent.newBuilder(register).setTimestamp(500L).build()));
    }

    @Test
    void anEventsOwnTimestampIsKept() throws Exception {
        AgentEvent register =
                agent("a1", List.of("chat"))
                        .setType(AgentEventType.REGISTER)
                        .setTimestamp(123L)
                        .build();

        AgentRegistry.apply(store, register, 500);

        assertThat(map.get("a1").getTimestamp()).isEqualTo(123L);
    }

    @Test
    void updateReplacesTheWholeRecordAndIsStoredAsARegistration() throws Exception {
        AgentRegistry.apply(store, event("a1", AgentEventType.REGISTER, List.of("chat")), 500);
        AgentEvent update =
                agent("a1", List.of("math"))
                        .setType(AgentEventType.UPDATE)
                        .setTier(Tier.CLOUD)
                        .build();

        assertThat(AgentRegistry.apply(store, update, 600)).isTrue();
        assertThat(map)
                .containsExactly(
                        Map.entry(
                                "a1",
                                AgentEvent.newBuilder(update)
                                        .setType(AgentEventType.REGISTER)
                                        .setTimestamp(600L)
                                        .build()));
    }

    @Test
    void retireRemovesAKnownAgent() throws Exception {
        AgentRegistry.apply(store, event("a1", AgentEventType.REGISTER, List.of("chat")), 500);
        AgentRegistry.apply(store, event("a2", AgentEventType.REGISTER, List.of("chat")), 500);

        assertThat(AgentRegistry.apply(store, event("a1", AgentEventType.RETIRE, List.of()), 600))
                .isTrue();
        assertThat(map).containsOnlyKeys("a2");
    }

    @Test
    void retiringAnUnknownAgentChangesNothing() throws Exception {
        AgentRegistry.apply(store, event("a2", AgentEventType.REGISTER, List.of("chat")), 500);

        assertThat(AgentRegistry.apply(store, event("a1", AgentEventType.RETIRE, List.of()), 600))
                .isFalse();
        assertThat(map).containsOnlyKeys("a2");
    }

    @Test
    void aHeartbeatOfAnUnknownAgentIsIgnored() throws Exception {
        AgentEvent beat = event("ghost", AgentEventType.HEARTBEAT, List.of("chat"));

        assertThat(AgentRegistry.apply(store, beat, 600)).isFalse();
        assertThat(map).isEmpty();
    }

    @Test
    void aHeartbeatUpdatesOnlyTheTimestamp() throws Exception {
        AgentEvent register = event("a1", AgentEventType.REGISTER, List.of("chat"));
        AgentRegistry.apply(store, register, 500);
        AgentEvent beat =
                agent("a1", List.of("math"))
                        .setType(AgentEventType.HEARTBEAT)
                        .setTier(Tier.CLOUD)
                        .setTimestamp(700L)
                        .build();

        assertThat(AgentRegistry.apply(store, beat, 800)).isFalse();
        assertThat(map)
                .containsExactly(
                        Map.entry(
                                "a1", AgentEvent.newBuilder(register).setTimestamp(700L).build()));
    }
}
