package io.hivestream.connectors.agents.onnx;

import static io.hivestream.operators.testing.TestRecords.analysis;
import static io.hivestream.operators.testing.TestRecords.task;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.hivestream.connectors.agents.AgentRuntimes;
import io.hivestream.operators.execute.AgentCall;
import io.hivestream.operators.execute.AgentCallException;
import io.hivestream.operators.execute.AgentReply;
import io.hivestream.operators.execute.AgentRuntime;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.Tier;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

class OnnxAgentRuntimeTest {
    private static final Map<String, String> SUPPORT_LABELS =
            Map.of(
                    "labels", "billing, shipping",
                    "label.billing", "payments, charges, invoices, refunds",
                    "label.shipping", "delivery of parcels and tracking");

    private static AgentEvent onnx(String id, String... params) {
        Map<String, String> profile = new HashMap<>();
        for (int i = 0; i < params.length; i += 2) {
            profile.put(params[i], params[i + 1]);
        }
        return AgentEvent.newBuilder()
                .setAgentId(id)
                .setRuntime("onnx")
                .setCapabilities(OnnxAgentRuntime.KINDS)
                .setTier(Tier.EDGE)
                .setParams(profile)
                .build();
    }

    private static AgentCall call(Task task, AgentEvent agent) {
        return new AgentCall(task, analysis(Tier.EDGE, 1, 1, List.of(task.getKind())), agent, 0, 1);
    }

    private static AgentReply answer(AgentEvent agent, Task task) throws Exception {
        AgentRuntime runtime = new AgentRuntimes().create(agent);
        return runtime.call(call(task, agent)).get(30, SECONDS);
    }

    private static AgentCallException failure(AgentEvent agent, Task task) {
        CompletableFuture<AgentReply> reply =
                new AgentRuntimes().create(agent).call(call(task, agent));
        assertThat(reply).isCompletedExceptionally();
        try {
            reply.get();
            throw new AssertionError("the call did not fail");
        } catch (ExecutionException e) {
            return (AgentCallException) e.getCause();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theFactoryBuildsOnnxAgents() {
        assertThat(new AgentRuntimes().create(onnx("mini"))).isInstanceOf(OnnxAgentRuntime.class);
    }

    @Test
    void classifyAnswersTheLabelWithItsConfidence() throws Exception {
        Task task =
                task("t-1", "classify", "I was charged twice this month")
                        .setMetadata(SUPPORT_LABELS)
                        .build();

        AgentReply reply = answer(onnx("mini"), task);

        assertThat(reply.output()).isEqualTo("billing");
        assertThat(reply.model()).isEqualTo("all-MiniLM-L6-v2");
        assertThat(reply.tokensIn()).isEqualTo(31);
        assertThat(reply.tokensOut()).isEqualTo(0);
        assertThat(reply.confidence()).isCloseTo(0.9895, within(1e-3));
        assertThat(reply.simulated()).isFalse();
    }

    @Test
    void summarizeTakesTheNumberOfSentencesFromTheAgent() throws Exception {
        Task task =
                task(
                                "t-2",
                                "summarize",
                                "Revenue grew by twelve percent. The office cat was adopted."
                                        + " Subscription sales drove the revenue growth.")
                        .build();

        assertThat(answer(onnx("mini", "sentences", "1"), task))
                .isEqualTo(
                        new AgentReply(
                                "Subscription sales drove the revenue growth.",
                                "all-MiniLM-L6-v2",
                                25,
                                0,
                                null,
                                false));
    }

    @Test
    void similarityComparesTheInputWithMetadataOther() throws Exception {
        Task task =
                task("t-3", "similarity", "A man is playing a guitar.")
                        .setMetadata(Map.of("other", "A man plays the guitar."))
                        .build();

        assertThat(answer(onnx("mini"), task))
                .isEqualTo(new AgentReply("0.9790", "all-MiniLM-L6-v2", 17, 0, null, false));
    }

    @Test
    void dedupeUsesTheAgentsThreshold() throws Exception {
        Task task =
                task(
                                "t-4",
                                "dedupe",
                                "Where is my parcel?\nCan I pay by bank transfer?\nWhere is my"
                                        + " package?")
                        .build();

        assertThat(answer(onnx("strict"), task).output())
                .isEqualTo(
                        "Where is my parcel?\nCan I pay by bank transfer?\nWhere is my package?");
        assertThat(answer(onnx("loose", "threshold", "0.68"), task).output())
                .isEqualTo("Where is my parcel?\nCan I pay by bank transfer?");
    }

    @Test
    void anUnknownKindIsABadRequest() {
        AgentCallException failure = failure(onnx("mini"), task("t-5", "chat", "Hello").build());

        assertThat(failure.kind()).isEqualTo(AgentCallException.Kind.BAD_REQUEST);
        assertThat(failure)
                .hasMessage(
                        "onnx agent mini cannot do task kind 'chat'; it does classify, summarize,"
                                + " similarity, dedupe");
    }

    @Test
    void classifyWithoutLabelsIsABadRequest() {
        Task noLabels = task("t-6", "classify", "I was charged twice").build();
        Task blankLabels =
                task("t-7", "classify", "I was charged twice")
                        .setMetadata(Map.of("labels", " , "))
                        .build();

        for (Task task : List.of(noLabels, blankLabels)) {
            AgentCallException failure = failure(onnx("mini"), task);
            assertThat(failure.kind()).isEqualTo(AgentCallException.Kind.BAD_REQUEST);
            assertThat(failure)
                    .hasMessage(
                            "classify task "
                                    + task.getTaskId()
                                    + " has no labels: set metadata 'labels' to comma-separated"
                                    + " names");
        }
    }

    @Test
    void similarityWithoutOtherIsABadRequest() {
        AgentCallException failure =
                failure(onnx("mini"), task("t-8", "similarity", "A man is playing.").build());

        assertThat(failure.kind()).isEqualTo(AgentCallException.Kind.BAD_REQUEST);
        assertThat(failure)
                .hasMessage(
                        "similarity task t-8 has no text to compare with: set metadata 'other'");
    }

    @Test
    void theCallerOnlyQueuesTheInference() throws Exception {
        Queue<Runnable> queued = new ArrayDeque<>();
        Executor executor = queued::add;
        AgentEvent agent = onnx("mini");
        Task task =
                task("t-9", "similarity", "A man is playing a guitar.")
                        .setMetadata(Map.of("other", "A man plays the guitar."))
                        .build();

        CompletableFuture<AgentReply> reply =
                new OnnxAgentRuntime(agent, executor).call(call(task, agent));

        assertThat(reply).isNotDone();
        assertThat(queued).hasSize(1);
        queued.remove().run();
        assertThat(reply.get(0, SECONDS).output()).isEqualTo("0.9790");
    }

    @Test
    void aCallThatTimedOutWhileQueuedIsNotRun() {
        Queue<Runnable> queued = new ArrayDeque<>();
        AgentEvent agent = onnx("mini");
        Task task = task("t-10", "summarize", "One. Two. Three.").build();

        CompletableFuture<AgentReply> reply =
                new OnnxAgentRuntime(agent, queued::add).call(call(task, agent));
        reply.cancel(false);
        queued.remove().run();

        assertThat(reply).isCancelled();
    }

    @Test
    void aFullQueueIsUnavailable() {
        Executor full =
                command -> {
                    throw new RejectedExecutionException("full");
                };
        AgentEvent agent = onnx("mini");
        Task task = task("t-11", "summarize", "One. Two. Three.").build();

        CompletableFuture<AgentReply> reply =
                new OnnxAgentRuntime(agent, full).call(call(task, agent));

        assertThatThrownBy(reply::get)
                .cause()
                .isInstanceOf(AgentCallException.class)
                .hasMessage("onnx agent mini: 1024 calls are already waiting for inference")
                .extracting(e -> ((AgentCallException) e).kind())
                .isEqualTo(AgentCallException.Kind.UNAVAILABLE);
    }

    @Test
    void badParamsAreRefusedWhenTheRuntimeIsBuilt() {
        assertThatThrownBy(() -> new OnnxAgentRuntime(onnx("mini", "sentences", "0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "agent mini: param sentences must be a whole number from 1 up, got '0'");
        assertThatThrownBy(() -> new OnnxAgentRuntime(onnx("mini", "threshold", "1.5")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("agent mini: param threshold must be a number in [0, 1], got '1.5'");
        assertThatThrownBy(() -> new OnnxAgentRuntime(onnx("mini", "inferenceThreads", "65")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "agent mini: param inferenceThreads must be a whole number from 1 to 64,"
                                + " got '65'");
    }

    @Test
    void anotherModelIsRefused() {
        AgentEvent agent = AgentEvent.newBuilder(onnx("mini")).setModel("bge-small").build();

        assertThatThrownBy(() -> new OnnxAgentRuntime(agent))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "agent mini: model 'bge-small' is not available to the onnx runtime; it"
                                + " runs all-MiniLM-L6-v2");
    }
}
