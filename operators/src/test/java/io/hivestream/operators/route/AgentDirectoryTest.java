package io.hivestream.operators.route;

import static io.hivestream.operators.testing.TestRecords.agent;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.AgentEventType;
import io.hivestream.schemas.internal.AgentView;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentDirectoryTest {
    private static AgentView view(AgentEvent agent, boolean healthy) {
        AgentView view = Router.unobserved(agent);
        view.getStats().setHealthy(healthy);
        return view;
    }

    private static final AgentView ALICE = view(agent("alice", List.of("chat")).build(), true);
    private static final AgentView ALICE_GONE_QUIET =
            view(agent("alice", List.of("chat")).build(), false);
    private static final AgentView ALICE_RETIRED =
            view(agent("alice", List.of()).setType(AgentEventType.RETIRE).build(), true);
    private static final AgentView BOB = view(agent("bob", List.of("chat")).build(), true);

    @Test
    void anAgentIsInTheRotationWhileHealthyAndNotRetired() {
        assertThat(AgentDirectory.inRotation(ALICE)).isTrue();
        assertThat(AgentDirectory.inRotation(ALICE_GONE_QUIET)).isFalse();
        assertThat(AgentDirectory.inRotation(ALICE_RETIRED)).isFalse();
    }

    @Test
    void routersChooseFromEveryAgentNotRetiredAndEscalationFromTheRotation() {
        Map<String, AgentView> views = new LinkedHashMap<>();
        views.put("alice", ALICE_RETIRED);
        views.put("bob", BOB);
        views.put("carol", view(agent("carol", List.of("chat")).build(), false));

        assertThat(AgentDirectory.current(views.entrySet()))
                .extracting(v -> v.getAgent().getAgentId())
                .containsExactly("bob", "carol");
        assertThat(AgentDirectory.rotation(views.entrySet()))
                .extracting(AgentEvent::getAgentId)
                .containsExactly("bob");
    }

    @Test
    void onlyAnAgentJoiningComingBackOrChangingMayLetWaitingTasksGo() {
        assertThat(AgentDirectory.mayAdmit(null, ALICE)).isTrue();
        assertThat(AgentDirectory.mayAdmit(ALICE_GONE_QUIET, ALICE)).isTrue();
        assertThat(AgentDirectory.mayAdmit(ALICE_RETIRED, ALICE)).isTrue();
        assertThat(
                        AgentDirectory.mayAdmit(
                                ALICE, view(agent("alice", List.of("chat", "math")).build(), true)))
                .isTrue();

        AgentView heartbeat = view(agent("alice", List.of("chat")).setTimestamp(99L).build(), true);
        assertThat(AgentDirectory.mayAdmit(ALICE, heartbeat)).isFalse();
        assertThat(AgentDirectory.mayAdmit(ALICE, ALICE_GONE_QUIET)).isFalse();
        assertThat(AgentDirectory.mayAdmit(ALICE, ALICE_RETIRED)).isFalse();
    }
}
