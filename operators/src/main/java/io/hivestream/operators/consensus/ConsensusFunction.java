package io.hivestream.operators.consensus;

import io.hivestream.operators.Outputs;
import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.ReputationMetric;
import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.internal.Analysis;
import io.hivestream.schemas.internal.AnalyzedTask;
import io.hivestream.schemas.internal.CallReply;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by task id. Owns the replies received so far for a task (replica index to reply) until
 * every replica has answered, then decides: the answer of a single agent, or the vote of several.
 * Emits every call metric and, for votes, one reputation metric per agent. The task's state is
 * removed when it is decided.
 */
public final class ConsensusFunction extends KeyedProcessFunction<String, CallReply, TaskResult> {
    private static final long serialVersionUID = 1L;

    private final Clock clock;
    private transient MapState<Integer, CallReply> replies;

    public ConsensusFunction(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void open(OpenContext openContext) {
        replies =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "replies", Types.INT, new AvroTypeInfo<>(CallReply.class)));
    }

    @Override
    public void processElement(CallReply reply, Context ctx, Collector<TaskResult> out)
            throws Exception {
        for (Metric metric : reply.getCalls()) {
            ctx.output(Outputs.METRICS, metric);
        }
        int expected = reply.getRequest().getTask().getAnalysis().getReplicas();
        if (expected == 1) {
            out.collect(decide(reply.getRequest().getTask(), List.of(reply.getAnswer()), ctx));
            return;
        }
        replies.put(reply.getRequest().getReplica(), reply);
        List<CallReply> received = new ArrayList<>();
        for (Map.Entry<Integer, CallReply> entry : replies.entries()) {
            received.add(entry.getValue());
        }
        if (received.size() < expected) {
            return;
        }
        received.sort(Comparator.comparingInt(r -> r.getRequest().getReplica()));
        List<AgentAnswer> answers =
                received.stream().map(CallReply::getAnswer).collect(Collectors.toList());
        replies.clear();
        out.collect(decide(reply.getRequest().getTask(), answers, ctx));
    }

    private TaskResult decide(AnalyzedTask analyzed, List<AgentAnswer> answers, Context ctx) {
        Task task = analyzed.getTask();
        Analysis analysis = analyzed.getAnalysis();
        TaskResult.Builder result = baseResult(analyzed, answers);
        if (analysis.getReplicas() == 1) {
            AgentAnswer answer = answers.get(0);
            result.setAgents(answer.getError() == null ? List.of(answer.getAgentId()) : List.of());
            return answer.getError() == null
                    ? result.setStatus(TaskStatus.COMPLETED).setOutput(answer.getOutput()).build()
                    : result.setStatus(TaskStatus.FAILED).setError(answer.getError()).build();
        }
        List<MajorityVote.Ballot> ballots = new ArrayList<>();
        for (AgentAnswer answer : answers) {
            ballots.add(
                    new MajorityVote.Ballot(
                            answer.getAgentId(),
                            answer.getError() == null ? answer.getOutput() : null));
        }
        MajorityVote.Outcome outcome = MajorityVote.decide(ballots, analysis.getQuorum());
        List<AgentAnswer> marked = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
            // By the answer, not the agent: a spare may answer one replica and fail another.
            boolean agreed = outcome.isWinner(ballots.get(i).output());
            marked.add(
                    AgentAnswer.newBuilder(answers.get(i))
                            .setAgreed(outcome.decided() ? agreed : null)
                            .build());
        }
        double agreement = (double) outcome.support() / analysis.getReplicas();
        result.setAnswers(marked).setAgreement(agreement);
        if (outcome.decided()) {
            for (AgentAnswer answer : marked) {
                ctx.output(Outputs.METRICS, reputation(task, answer, agreement));
            }
            return result.setStatus(TaskStatus.COMPLETED)
                    .setOutput(outcome.winner())
                    .setAgents(outcome.agreeing())
                    .build();
        }
        boolean allFailed = answers.stream().allMatch(a -> a.getError() != null);
        String errors =
                answers.stream()
                        .filter(a -> a.getError() != null)
                        .map(a -> a.getAgentId() + ": " + a.getError())
                        .collect(Collectors.joining("; "));
        if (allFailed) {
            return result.setStatus(TaskStatus.FAILED)
                    .setError("every replica failed: " + errors)
                    .build();
        }
        String why =
                "no answer reached the quorum of "
                        + analysis.getQuorum()
                        + " (largest agreement: "
                        + outcome.support()
                        + " of "
                        + analysis.getReplicas()
                        + ")";
        return result.setStatus(TaskStatus.NO_CONSENSUS)
                .setError(errors.isEmpty() ? why : why + "; " + errors)
                .build();
    }

    private TaskResult.Builder baseResult(AnalyzedTask analyzed, List<AgentAnswer> answers) {
        Task task = analyzed.getTask();
        Analysis analysis = analyzed.getAnalysis();
        long tokensIn = 0;
        long tokensOut = 0;
        double cost = 0;
        boolean simulated = false;
        for (AgentAnswer answer : answers) {
            tokensIn += answer.getTokensIn();
            tokensOut += answer.getTokensOut();
            cost += answer.getCostUsd();
            simulated |= answer.getSimulated();
        }
        return TaskResult.newBuilder()
                .setTaskId(task.getTaskId())
                .setTenant(task.getTenant())
                .setSessionId(task.getSessionId())
                .setKind(task.getKind())
                .setStrategy(analysis.getReplicas() > 1 ? Strategy.CONSENSUS : Strategy.DIRECT)
                .setTier(analysis.getTier())
                .setComplexity(analysis.getComplexity())
                .setAnswers(answers)
                .setTokensIn(tokensIn)
                .setTokensOut(tokensOut)
                .setCostUsd(cost)
                .setSimulated(simulated)
                .setParentId(task.getParentId())
                .setRootId(task.getRootId())
                .setLatencyMs(Math.max(0, clock.millis() - analyzed.getAdmittedAt()));
    }

    private Metric reputation(Task task, AgentAnswer answer, double agreement) {
        return Metric.newBuilder()
                .setKind(MetricKind.REPUTATION)
                .setTimestamp(clock.millis())
                .setTaskId(task.getTaskId())
                .setAgentId(answer.getAgentId())
                .setTenant(task.getTenant())
                .setReputation(
                        ReputationMetric.newBuilder()
                                .setAgreed(Boolean.TRUE.equals(answer.getAgreed()))
                                .setAgreement(agreement)
                                .build())
                .build();
    }
}
