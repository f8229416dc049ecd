package io.hivestream.operators.testing;

import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.internal.Analysis;
import io.hivestream.schemas.internal.AnalyzedTask;
import io.hivestream.schemas.internal.CallReply;
import io.hivestream.schemas.internal.CallRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The records the tests of every module build: tasks, analysed tasks, agents, requests and replies,
 * with the defaults a producer would leave out. Shared through the operators' test jar.
 */
public final class TestRecords {
    /** The admission time of every analysed task built here. */
    public static final long ADMITTED_AT = 1_000L;

    private TestRecords() {}

    /** A task with the schema's defaults for everything but id, kind and input. */
    public static Task.Builder task(String taskId, String kind, String input) {
        return Task.newBuilder().setTaskId(taskId).setKind(kind).setInput(input);
    }

    /** The analysis of a task that needs the given capabilities on the given tier. */
    public static Analysis analysis(
            Tier tier, int replicas, int quorum, List<String> capabilities) {
        return Analysis.newBuilder()
                .setComplexity(0.25)
                .setTier(tier)
                .setStrategy(replicas > 1 ? Strategy.CONSENSUS : Strategy.DIRECT)
                .setReplicas(replicas)
                .setQuorum(quorum)
                .setCapabilities(capabilities)
                .build();
    }

    /** The task analysed for the EDGE tier, needing the capability named by its kind. */
    public static AnalyzedTask analyzed(Task task, int replicas, int quorum) {
        return analyzed(task, analysis(Tier.EDGE, replicas, quorum, List.of(task.getKind())));
    }

    public static AnalyzedTask analyzed(Task task, Analysis analysis) {
        return AnalyzedTask.newBuilder()
                .setTask(task)
                .setAnalysis(analysis)
                .setAdmittedAt(ADMITTED_AT)
                .build();
    }

    /**
     * A simulated EDGE agent that costs nothing and answers at once; {@code params} are name, value
     * pairs added to its profile.
     */
    public static AgentEvent.Builder agent(
            String agentId, List<String> capabilities, String... params) {
        Map<String, String> profile = new HashMap<>();
        profile.put("latencyMs", "0");
        for (int i = 0; i < params.length; i += 2) {
            profile.put(params[i], params[i + 1]);
        }
        return AgentEvent.newBuilder()
                .setAgentId(agentId)
                .setRuntime("simulated")
                .setCapabilities(capabilities)
                .setTier(Tier.EDGE)
                .setParams(profile);
    }

    public static CallRequest request(AnalyzedTask task, int replica, List<AgentEvent> chain) {
        return CallRequest.newBuilder().setTask(task).setReplica(replica).setChain(chain).build();
    }

    /** An answer with the given output from the given agent. */
    public static AgentAnswer answered(String agentId, String output) {
        return AgentAnswer.newBuilder().setAgentId(agentId).setOutput(output).build();
    }

    /** A failure of the given agent with the given error. */
    public static AgentAnswer failed(String agentId, String error) {
        return AgentAnswer.newBuilder().setAgentId(agentId).setError(error).build();
    }

    public static CallReply reply(AnalyzedTask task, int replica, AgentAnswer answer) {
        return CallReply.newBuilder()
                .setRequest(request(task, replica, List.of()))
                .setAnswer(answer)
                .setCalls(List.of())
                .build();
    }
}
