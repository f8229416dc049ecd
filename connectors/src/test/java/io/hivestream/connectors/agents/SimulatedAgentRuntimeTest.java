package io.hivestream.connectors.agents;

import static io.hivestream.operators.testing.TestRecords.agent;
import static io.hivestream.operators.testing.TestRecords.analysis;
import static io.hivestream.operators.testing.TestRecords.task;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hivestream.connectors.agents.SimulatedAgentRuntime.SimulatedFailure;
import io.hivestream.operators.execute.AgentCall;
import io.hivestream.operators.execute.AgentReply;
import io.hivestream.operators.plan.PlanJson;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.Tier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class SimulatedAgentRuntimeTest {
    private static final Task MATH = task("t-1", "math", "What is 12 * (3 + 4)?").build();

    private static AgentEvent simulated(String id, String... params) {
        return agent(id, List.of("math", "classify", "chat"), params).build();
    }

    private static AgentCall call(Task task, AgentEvent agent) {
        return new AgentCall(task, analysis(Tier.EDGE, 1, 1, List.of(task.getKind())), agent, 0, 1);
    }

    private static AgentReply answer(AgentEvent agent, Task task) throws Exception {
        return new SimulatedAgentRuntime(agent).call(call(task, agent)).get(5, SECONDS);
    }

    @Test
    void anHonestAgentAnswersRightWithEstimatedTokens() throws Exception {
        AgentEvent agent = simulated("a1");

        // 21 input characters are 6 tokens, the 2 of "84" one.
        assertThat(answer(agent, MATH))
                .isEqualTo(new AgentReply("84", "simulated", 6, 1, null, true));
    }

    @Test
    void theAgentsModelIsReported() throws Exception {
        AgentEvent agent = AgentEvent.newBuilder(simulated("a1")).setModel("tiny-1").build();

        assertThat(answer(agent, MATH).model()).isEqualTo("tiny-1");
    }

    @Test
    void withoutLatencyTheCallCompletesAtOnce() {
        AgentEvent agent = simulated("a1");

        CompletableFuture<AgentReply> reply =
                new SimulatedAgentRuntime(agent).call(call(MATH, agent));

        assertThat(reply).isCompletedWithValue(new AgentReply("84", "simulated", 6, 1, null, true));
    }

    @Test
    void withLatencyTheSameAnswerArrivesLater() throws Exception {
        AgentEvent agent = simulated("a1", "latencyMs", "5", "latencyJitterMs", "5");

        assertThat(answer(agent, MATH))
                .isEqualTo(new AgentReply("84", "simulated", 6, 1, null, true));
    }

    @Test
    void theSameAgentSeedTaskReplicaAndAttemptGiveTheSameOutcome() throws Exception {
        AgentEvent agent = simulated("a1", "accuracy", "0.5", "seed", "7");
        List<String> first = new ArrayList<>();
        List<String> second = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Task task = task("t-" + i, "math", "What is 12 * (3 + 4)?").build();
            first.add(answer(agent, task).output());
            second.add(answer(agent, task).output());
        }

        assertThat(second).isEqualTo(first);
        assertThat(first).containsOnly("84", "85").contains("84", "85");
    }

    @Test
    void anAccuracyOfZeroIsAlwaysWrong() throws Exception {
        AgentEvent agent = simulated("a1", "accuracy", "0");
        List<String> outputs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            outputs.add(
                    answer(agent, task("t-" + i, "math", "What is 12 * (3 + 4)?").build())
                            .output());
        }

        assertThat(outputs).containsOnly("85");
    }

    @Test
    void aWrongAgentIsAlwaysWrongInTheTasksOwnTerms() throws Exception {
        AgentEvent agent = simulated("w", "mode", "wrong");
        Task classify =
                task("t-2", "classify", "Refund please")
                        .setMetadata(Map.of("labels", "billing,shipping"))
                        .build();

        assertThat(answer(agent, MATH))
                .isEqualTo(new AgentReply("85", "simulated", 6, 1, null, true));
        assertThat(answer(agent, classify).output()).isEqualTo("shipping");
        assertThat(answer(agent, task("t-3", "chat", "Hi").build()).output())
                .isEqualTo("not simulated chat reply to: Hi");
    }

    @Test
    void colludersGiveTheSameWrongAnswer() throws Exception {
        assertThat(answer(simulated("c1", "mode", "collude"), MATH))
                .isEqualTo(new AgentReply("colluded answer", "simulated", 6, 4, null, true));
        assertThat(answer(simulated("c2", "mode", "COLLUDE", "seed", "3"), MATH).output())
                .isEqualTo(SimulatedAgentRuntime.COLLUDED_ANSWER);
    }

    @Test
    void withoutAConfidenceProfileNoConfidenceIsReported() throws Exception {
        assertThat(answer(simulated("a1", "accuracy", "0.5"), MATH).confidence()).isNull();
    }

    @Test
    void rightAndWrongAnswersReportConfidencesFromTheirOwnRangesSeeded() throws Exception {
        AgentEvent agent =
                simulated(
                        "a1",
                        "accuracy",
                        "0.5",
                        "seed",
                        "7",
                        "confidenceWhenRight",
                        "0.7-0.95",
                        "confidenceWhenWrong",
                        "0.1 - 0.4");
        List<String> first = new ArrayList<>();
        List<String> second = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Task task = task("t-" + i, "math", "What is 12 * (3 + 4)?").build();
            AgentReply reply = answer(agent, task);
            first.add(reply.output() + "@" + reply.confidence());
            AgentReply again = answer(agent, task);
            second.add(again.output() + "@" + again.confidence());
            if (reply.output().equals("84")) {
                assertThat(reply.confidence()).isBetween(0.7, 0.95);
            } else {
                assertThat(reply.confidence()).isBetween(0.1, 0.4);
            }
        }

        assertThat(second).isEqualTo(first);
        // Seed 7 pins the draws: tasks t-0 to t-3 are answered so, with these confidences.
        assertThat(first.subList(0, 4))
                .containsExactly("84@0.764", "84@0.716", "85@0.363", "84@0.851");
        // The confidence is drawn after the answer: the same outputs as without a profile.
        AgentEvent plain = simulated("a1", "accuracy", "0.5", "seed", "7");
        for (int i = 0; i < 40; i++) {
            Task task = task("t-" + i, "math", "What is 12 * (3 + 4)?").build();
            assertThat(first.get(i)).startsWith(answer(plain, task).output() + "@");
        }
    }

    @Test
    void agentsThatAreNeverRightReportTheirWrongConfidence() throws Exception {
        AgentEvent agent =
                simulated(
                        "c1",
                        "mode",
                        "collude",
                        "confidenceWhenRight",
                        "0.9",
                        "confidenceWhenWrong",
                        "0.8");

        assertThat(answer(agent, MATH))
                .isEqualTo(new AgentReply("colluded answer", "simulated", 6, 4, 0.8, true));
    }

    @Test
    void confidenceProfilesGoTogetherAndMustBeInRange() {
        assertThatThrownBy(
                        () ->
                                new SimulatedAgentRuntime(
                                        simulated("a1", "confidenceWhenRight", "0.9")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "agent a1: params confidenceWhenRight and confidenceWhenWrong go together");
        assertThatThrownBy(
                        () ->
                                new SimulatedAgentRuntime(
                                        simulated(
                                                "a1",
                                                "confidenceWhenRight",
                                                "0.9-0.8",
                                                "confidenceWhenWrong",
                                                "0.2")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "agent a1: param confidenceWhenRight must be a number in [0, 1] or a range"
                                + " LOW-HIGH of them, got '0.9-0.8'");
        assertThatThrownBy(
                        () ->
                                new SimulatedAgentRuntime(
                                        simulated(
                                                "a1",
                                                "confidenceWhenRight",
                                                "0.9",
                                                "confidenceWhenWrong",
                                                "low")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "agent a1: param confidenceWhenWrong must be a number in [0, 1] or a range"
                                + " LOW-HIGH of them, got 'low'");
    }

    @Test
    void aMalformedAgentAnswersGarbageNamedBySeed() throws Exception {
        assertThat(answer(simulated("m", "mode", "malformed", "seed", "42"), MATH).output())
                .isEqualTo("\u0000<<malformed 2a>>");
    }

    @Test
    void anErrorRateOfOneAlwaysFails() {
        AgentEvent agent = simulated("flaky", "errorRate", "1.0");

        assertThatThrownBy(() -> answer(agent, MATH))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(SimulatedFailure.class)
                .hasMessage("simulated failure of flaky (error rate 1.0)");
    }

    @Test
    void aTaskTheSolverCannotAnswerFailsTheCall() {
        AgentEvent agent = simulated("a1");

        assertThatThrownBy(() -> answer(agent, task("t", "classify", "Hi").build()))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("classify needs metadata.labels, e.g. \"billing,shipping\"");
    }

    @Test
    void badParamsAreRejectedWithTheirName() {
        assertThatThrownBy(() -> new SimulatedAgentRuntime(simulated("a1", "latencyMs", "-5")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "agent a1: param latencyMs must be a whole number of 0 or more, got '-5'");
        assertThatThrownBy(
                        () -> new SimulatedAgentRuntime(simulated("a1", "latencyJitterMs", "1.5")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "agent a1: param latencyJitterMs must be a whole number of 0 or more, got"
                                + " '1.5'");
        assertThatThrownBy(() -> new SimulatedAgentRuntime(simulated("a1", "errorRate", "1.5")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("agent a1: param errorRate must be a number in [0, 1], got '1.5'");
        assertThatThrownBy(() -> new SimulatedAgentRuntime(simulated("a1", "accuracy", "high")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("agent a1: param accuracy must be a number in [0, 1], got 'high'");
        assertThatThrownBy(() -> new SimulatedAgentRuntime(simulated("a1", "mode", "lazy")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "agent a1: mode 'lazy' is not one of honest, wrong, collude, malformed");
    }

    @Test
    void aNegativeSeedIsAccepted() throws Exception {
        assertThat(answer(simulated("a1", "seed", "-3"), MATH).output()).isEqualTo("84");
    }

    @Test
    void tokensAreAboutFourCharactersEachAndAtLeastOne() {
        assertThat(SimulatedAgentRuntime.estimateTokens("")).isEqualTo(1);
        assertThat(SimulatedAgentRuntime.estimateTokens("abcd")).isEqualTo(1);
        assertThat(SimulatedAgentRuntime.estimateTokens("abcde")).isEqualTo(2);
        assertThat(SimulatedAgentRuntime.estimateTokens("x".repeat(400))).isEqualTo(100);
    }

    @Test
    void accuracyFallsWithTheLabelledDifficultyOfATask() {
        SimulatedAgentRuntime agent =
                new SimulatedAgentRuntime(
                        simulated("a1", "accuracy", "0.9", "difficultyPenalty", "0.5"));
        Task easy =
                task("t-1", "math", "1+1")
                        .setMetadata(java.util.Map.of("difficulty", "0.2"))
                        .build();
        Task hard =
                task("t-2", "math", "1+1")
                        .setMetadata(java.util.Map.of("difficulty", "1.0"))
                        .build();
        Task unlabelled = task("t-3", "math", "1+1").build();

        assertThat(agent.accuracyFor(call(easy, simulated("a1"))))
                .isCloseTo(0.8, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(agent.accuracyFor(call(hard, simulated("a1"))))
                .isCloseTo(0.4, org.assertj.core.api.Assertions.within(1e-12));
        // Without a label the analyser's complexity (0.25 in these analyses) stands in.
        assertThat(agent.accuracyFor(call(unlabelled, simulated("a1"))))
                .isCloseTo(0.775, org.assertj.core.api.Assertions.within(1e-12));
    }

    @Test
    void accuracyByDifficultyShowsInTheShareOfRightAnswers() throws Exception {
        AgentEvent agent = simulated("a1", "accuracy", "1.0", "difficultyPenalty", "0.6");
        int right = 0;
        for (int i = 0; i < 2000; i++) {
            Task hard =
                    task("h-" + i, "math", "2+2")
                            .setMetadata(java.util.Map.of("difficulty", "1"))
                            .build();
            if (answer(agent, hard).output().equals("4")) {
                right++;
            }
        }
        // Expected 0.4 of 2000; the seeded outcomes give exactly this count.
        assertThat(right).isEqualTo(RIGHT_OF_2000_AT_0_4);
    }

    /** The seeded count of right answers out of 2,000 at accuracy 0.4 (a share of 0.393). */
    private static final int RIGHT_OF_2000_AT_0_4 = 786;

    @Test
    void anUnknownLatencyDistributionIsRefused() {
        assertThatThrownBy(
                        () ->
                                new SimulatedAgentRuntime(
                                        simulated("a1", "latencyDistribution", "pareto")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "agent a1: latencyDistribution 'pareto' is not one of uniform, exponential");
    }

    private static final Task PLANNING =
            task("t-9/plan", "plan", "Plan: Find the facts.")
                    .setRole("planner")
                    .setMetadata(
                            Map.of(
                                    "plan.task", "Find the facts.",
                                    "plan.capabilities", "research,write",
                                    "role.system", "You are the planner."))
                    .build();

    private static final Task SYNTHESIS =
            task("t-9/synthesis", "synthesize", "Synthesize the answer.")
                    .setRole("synthesizer")
                    .setMetadata(
                            Map.of(
                                    "plan.task", "Find the facts.",
                                    "plan.steps", "research,write",
                                    "context.research", "Kafka commits atomically.",
                                    "context.write", "Use transactions.",
                                    "role.system", "You are the synthesizer."))
                    .build();

    private static final String PLAN =
            "{\"steps\":[{\"id\":\"research\",\"role\":\"researcher\",\"kind\":\"research\","
                    + "\"capabilities\":[\"research\"],\"dependsOn\":[],\"input\":\"Find the"
                    + " facts\"}]}";

    @Test
    void aPlannerAnswersWithTheSimulatedPlannersPlan() throws Exception {
        // 21 input characters are 6 tokens, the plan's 135 are 34.
        assertThat(answer(simulated("p1", "latencyMs", "5"), PLANNING))
                .isEqualTo(new AgentReply(PLAN, "simulated", 6, 34, null, true));
        assertThat(PLAN).isEqualTo(SimulatedPlanner.answer(PLANNING));
    }

    @Test
    void aWrongPlannerAnswersAPlanWithoutSteps() throws Exception {
        assertThat(answer(simulated("p1", "mode", "wrong"), PLANNING))
                .isEqualTo(new AgentReply("{\"steps\":[]}", "simulated", 6, 3, null, true));
        assertThat(answer(simulated("p2", "accuracy", "0"), PLANNING).output())
                .isEqualTo("{\"steps\":[]}");
    }

    @Test
    void aMalformedOrColludingPlannerAnswersSomethingThatIsNotAPlan() throws Exception {
        String malformed =
                answer(simulated("p1", "mode", "malformed", "seed", "42"), PLANNING).output();
        String colluded = answer(simulated("p2", "mode", "collude"), PLANNING).output();

        assertThat(malformed).isEqualTo("\u0000<<malformed 2a>>");
        assertThat(colluded).isEqualTo(SimulatedAgentRuntime.COLLUDED_ANSWER);
        assertThatThrownBy(() -> PlanJson.parse(malformed))
                .isInstanceOf(PlanJson.PlanFormatException.class);
        assertThatThrownBy(() -> PlanJson.parse(colluded))
                .isInstanceOf(PlanJson.PlanFormatException.class);
    }

    @Test
    void aFlakyPlannerFailsLikeAnyAgent() {
        assertThatThrownBy(() -> answer(simulated("flaky", "errorRate", "1.0"), PLANNING))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(SimulatedFailure.class)
                .hasMessage("simulated failure of flaky (error rate 1.0)");
    }

    @Test
    void aSynthesizerListsTheStepsOutputsUnderTheTask() throws Exception {
        // 22 input characters are 6 tokens, the 74 of the synthesis 19.
        assertThat(answer(simulated("s1"), SYNTHESIS))
                .isEqualTo(
                        new AgentReply(
                                "Answer to: Find the facts.\n- Kafka commits atomically.\n- Use"
                                        + " transactions.",
                                "simulated",
                                6,
                                19,
                                null,
                                true));
        assertThat(answer(simulated("s2", "mode", "wrong"), SYNTHESIS).output())
                .isEqualTo(
                        "not Answer to: Find the facts.\n- Kafka commits atomically.\n- Use"
                                + " transactions.");
    }

    @Test
    void aWorkerStepIsAnsweredByItsKindWhateverItsRole() throws Exception {
        Task step =
                task("t-9/research", "research", "Find the facts")
                        .setRole("researcher")
                        .setMetadata(Map.of("role.system", "You are a researcher."))
                        .build();

        assertThat(answer(simulated("w1"), step).output())
                .isEqualTo("simulated research reply to: Find the facts");
    }
}
