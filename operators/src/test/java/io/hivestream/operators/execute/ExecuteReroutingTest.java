package io.hivestream.operators.execute;

import static io.hivestream.operators.execute.ExecuteOperatorTest.drain;
import static io.hivestream.operators.testing.TestRecords.analyzed;
import static io.hivestream.operators.testing.TestRecords.request;
import static io.hivestream.operators.testing.TestRecords.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.hivestream.operators.route.Router;
import io.hivestream.operators.route.SessionKeys;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.AgentEventType;
import io.hivestream.schemas.internal.AgentStats;
import io.hivestream.schemas.internal.AgentView;
import io.hivestream.schemas.internal.CallRequest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The agents' views, which reach the execute operator among its requests: work queued for an agent
 * that leaves the rotation goes to the next agent of its chain, or is routed again.
 */
@Timeout(60)
class ExecuteReroutingTest {
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(5_000), ZoneOffset.UTC);

    static final List<String> LOG = Collections.synchronizedList(new ArrayList<>());
    static final Map<String, CompletableFuture<AgentReply>> PENDING = new ConcurrentHashMap<>();

    /** Calls wait for the test to answer them. */
    static final class Scripted implements AgentRuntimeFactory {
        private static final long serialVersionUID = 1L;

        @Override
        public AgentRuntime create(AgentEvent agent) {
            return call -> {
                String name = call.task().getTaskId() + "/" + call.agent().getAgentId();
                LOG.add("call " + name);
                CompletableFuture<AgentReply> reply = new CompletableFuture<>();
                PENDING.put(name, reply);
                return reply;
            };
        }
    }

    @AfterEach
    void reset() {
        LOG.clear();
        PENDING.clear();
    }

    private static AgentEvent agent(String id, double price) {
        return AgentEvent.newBuilder()
                .setAgentId(id)
                .setRuntime("scripted")
                .setCapabilities(List.of("chat"))
                .setCostPer1kInputTokens(price)
                .setTimeoutMs(60_000)
                .build();
    }

    private static final AgentEvent A = agent("a", 0.1);
    private static final AgentEvent B = agent("b", 0.2);
    private static final AgentEvent C = agent("c", 0.3);

    private static AgentView view(AgentEvent agent, boolean healthy) {
        return AgentView.newBuilder()
                .setAgent(agent)
                .setStats(AgentStats.newBuilder().setHealthy(healthy).build())
                .build();
    }

    private static CallRequest turn(String taskId, String session, AgentEvent... chain) {
        return request(
                analyzed(task(taskId, "chat", "hi").setSessionId(session).build(), 1, 1),
                0,
                List.of(chain));
    }

    private static ExecuteOperatorFactory factory() {
        return new ExecuteOperatorFactory(
                new Scripted(),
                ExecuteSettings.builder().build(),
                ExecuteOperator.ToolPolicy.allowAll(),
                CLOCK,
                new Router(1),
                CallJournal.NONE);
    }

    private static ExecuteHarness harness() throws Exception {
        return new ExecuteHarness(factory());
    }

    /** The views arrive between the requests, as the route stage passes them on. */
    private static void views(ExecuteHarness harness, AgentView... views) throws Exception {
        for (AgentView view : views) {
            harness.processView(view);
        }
    }

    private static void answer(
            KeyedOneInputStreamOperatorTestHarness<?, ?, ?> harness, String call, String output)
            throws Exception {
        LOG.add("answer " + call);
        PENDING.get(call).complete(new AgentReply(output, "m", 3, 1, null, false));
        drain(harness);
    }

    /** The call fails for good on that agent: the request moves to the next of its chain. */
    private static void refuse(KeyedOneInputStreamOperatorTestHarness<?, ?, ?> harness, String call)
            throws Exception {
        LOG.add("refuse " + call);
        PENDING.get(call)
                .completeExceptionally(
                        new AgentCallException(AgentCallException.Kind.BAD_REQUEST, "no"));
        drain(harness);
    }

    /** Task and answering agent of each reply; a reply carries no chains past this stage. */
    private static List<String> answered(ExecuteHarness harness) {
        return harness.extractOutputValues().stream()
                .peek(r -> assertThat(r.getRequest().getChain()).isEmpty())
                .map(
                        r ->
                                r.getRequest().getTask().getTask().getTaskId()
                                        + "="
                                        + r.getAnswer().getAgentId())
                .toList();
    }

    @Test
    void queuedWorkForAnAgentThatLeftTheRotationGoesToTheNextAgentOrIsRoutedAgain()
            throws Exception {
        try (var harness = harness()) {
            harness.open();
            views(harness, view(A, true), view(B, true), view(C, true));
            harness.processElement(turn("t1", "s", A, B), 0);
            harness.processElement(turn("t2", "s", A, B), 0);
            harness.processElement(turn("t3", "s", A), 0);
            assertThat(LOG).containsExactly("call t1/a");

            views(harness, view(A, false));
            // Both queued turns were re-routed as the view arrived.
            assertThat(((ExecuteOperator) harness.getOperator()).rerouted()).isEqualTo(2);
            // The call in flight keeps its agent; only queued work moves.
            answer(harness, "t1/a", "one");
            answer(harness, "t2/b", "two");
            refuse(harness, "t3/b");
            answer(harness, "t3/c", "three");

            // t2 moved on along its chain; t3, whose chain was only a, was routed again: the
            // cheapest agent in the rotation, then one fallback, which takes over when b refuses.
            assertThat(LOG)
                    .containsExactly(
                            "call t1/a",
                            "answer t1/a",
                            "call t2/b",
                            "answer t2/b",
                            "call t3/b",
                            "refuse t3/b",
                            "call t3/c",
                            "answer t3/c");
            assertThat(answered(harness)).containsExactly("t1=a", "t2=b", "t3=c");
            assertThat(((ExecuteOperator) harness.getOperator()).rerouted()).isEqualTo(2);
        }
    }

    @Test
    void aRequestRoutedToAnAgentThatLeftIsCheckedWhenItStartsAndAReturningAgentIsUsedAgain()
            throws Exception {
        try (var harness = harness()) {
            harness.open();
            views(harness, view(A, true), view(B, true));
            views(
                    harness,
                    view(AgentEvent.newBuilder(A).setType(AgentEventType.RETIRE).build(), true));

            harness.processElement(turn("t1", "s1", A, B), 0);
            answer(harness, "t1/b", "one");
            assertThat(((ExecuteOperator) harness.getOperator()).rerouted()).isEqualTo(1);

            views(harness, view(A, true));
            harness.processElement(turn("t2", "s2", A, B), 0);
            answer(harness, "t2/a", "two");

            assertThat(answered(harness)).containsExactly("t1=b", "t2=a");
        }
    }

    @Test
    void aViewIsTakenUnderNoKeyByAnInstanceThatOwnsOnlySomeKeys() throws Exception {
        // Instance 1 of 2: a key of its own for the session's turns; any key for a view would
        // belong to one instance only.
        String session = "s0";
        for (int i = 1;
                KeyGroupRangeAssignment.assignKeyToParallelOperator(
                                SessionKeys.of(turn("t", session)), 128, 2)
                        != 1;
                i++) {
            session = "s" + i;
        }
        try (var harness = new ExecuteHarness(factory(), 128, 2, 1)) {
            harness.open();
            views(harness, view(A, true), view(B, true));
            harness.processElement(turn("t1", session, A, B), 0);
            harness.processElement(turn("t2", session, A, B), 0);

            views(harness, view(A, false));
            answer(harness, "t1/a", "one");
            answer(harness, "t2/b", "two");

            assertThat(answered(harness)).containsExactly("t1=a", "t2=b");
            assertThat(((ExecuteOperator) harness.getOperator()).rerouted()).isEqualTo(1);
        }
    }
}
