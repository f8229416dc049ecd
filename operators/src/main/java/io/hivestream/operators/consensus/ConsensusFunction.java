package io.hivestream.operators.consensus;

import io.hivestream.operators.Outputs;
import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.Metric;
import io.hivestream.schemas.MetricKind;
import io.hivestream.schemas.ReputationMetric;
import io.hivestream.schemas.RoutingExample;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.Tier;
import io.hivestream.schemas.codec.FastCoders;
import io.hivestream.schemas.internal.AgentReputation;
import io.hivestream.schemas.internal.Analysis;
import io.hivestream.schemas.internal.AnalyzedTask;
import io.hivestream.schemas.internal.CallReply;
import io.hivestream.schemas.internal.ConsensusDecision;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by task id; the broadcast input is the reputation metrics read back from the metrics topic.
 *
 * <p>State it owns, per task with several replicas:
 *
 * <ul>
 *   <li>{@code replies}: the replies received so far (replica index to reply), with a processing
 *       time timer at the consensus deadline ({@code deadline} holds its time). The window closes
 *       as soon as the task's vote ({@link Votes}, chosen by the task's metadata {@code vote}) is
 *       decided on the replies so far, when every replica has answered, or at the deadline, and
 *       both are then removed;
 *   <li>{@code decided}: after a decision on part of the replies, the winner and which replicas
 *       have answered, so that later replies are judged for reputation and otherwise dropped rather
 *       than opening a new window (which would give the task a second result). It is removed when
 *       the last replica answers. A timer after the retention forgets the winner (later replies no
 *       longer count for reputation) but keeps which replicas answered: the execute stage answers
 *       every replica exactly once, however late, so the marker lives as long as the task's slowest
 *       replica. A replica that has not answered {@link #DECIDED_LIMIT} after the decision is taken
 *       never to answer (a task id published twice can leave such a marker) and the marker goes.
 * </ul>
 *
 * <p>Broadcast state {@link #REPUTATIONS}: each agent's reputation (a moving average of its
 * agreement with winners), the weights of the weighted vote. Every instance reads the same
 * reputation metrics, so every instance weighs an agent alike; a job started without a checkpoint
 * rebuilds them from the metrics topic.
 *
 * <p>In the job, the execute stage decides the tasks with one replica itself ({@link TaskResults})
 * and sends call metrics out; this stage gets the replicas of votes and the semantic cache's
 * answers. It decides a reply of a task with one replica the same way when one reaches it.
 *
 * <p>Each completed result carries {@code agentTier}, the tier of the answer that is its output, as
 * the execute stage recorded it with the answer: a single replica's answer, a cascade's answer that
 * stands, or a decided vote's first agreeing answer.
 *
 * <p>Emits the call metrics replies carry and, for decided votes, one reputation metric per answer
 * (late answers included). With {@link RoutingEvidence}, also a labelled example ({@link
 * #EXAMPLES}) for each completed result that is evidence of the tier its task needed.
 */
public final class ConsensusFunction
        extends KeyedBroadcastProcessFunction<String, CallReply, Metric, TaskResult> {
    private static final long serialVersionUID = 1L;

    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);
    public static final Duration DEFAULT_RETENTION = Duration.ofMinutes(10);

    /**
     * How long a decided task waits at most for its last replicas: far beyond the execute stage's
     * longest retry loop (attempts × agents × (call timeout + backoff), minutes by default).
     */
    public static final Duration DECIDED_LIMIT = Duration.ofDays(1);

    public static final MapStateDescriptor<String, AgentReputation> REPUTATIONS =
            new MapStateDescriptor<>(
                    "reputations", Types.STRING, new AvroTypeInfo<>(AgentReputation.class));

    /** Labelled examples for the complexity model, from results that say which tier was needed. */
    public static final OutputTag<RoutingExample> EXAMPLES =
            new OutputTag<>("routing-examples", new AvroTypeInfo<>(RoutingExample.class));

    private final Clock clock;
    private final TextEmbedder embedder;
    private final TaskResults results;
    private final Duration timeout;
    private final Duration retention;
    private transient MapState<Integer, CallReply> replies;
    private transient ValueState<Long> deadline;
    private transient ValueState<ConsensusDecision> decided;

    public ConsensusFunction(Clock clock) {
        this(clock, new BagOfWordsEmbedder(), DEFAULT_TIMEOUT, DEFAULT_RETENTION);
    }

    /**
     * @param embedder embeds answers for the semantic vote
     * @param timeout how long after its first reply a task's window waits for the others
     * @param retention how long a task decided before all replicas answered remembers it
     */
    public ConsensusFunction(
            Clock clock, TextEmbedder embedder, Duration timeout, Duration retention) {
        this(clock, embedder, timeout, retention, null);
    }

    /**
     * @param evidence turns results into labelled examples on {@link #EXAMPLES}; null: none
     */
    public ConsensusFunction(
            Clock clock,
            TextEmbedder embedder,
            Duration timeout,
            Duration retention,
            RoutingEvidence evidence) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("retention must be positive: " + retention);
        }
        this.clock = clock;
        this.embedder = embedder;
        this.timeout = timeout;
        this.retention = retention;
        this.results = new TaskResults(clock, evidence);
    }

    @Override
    public void open(OpenContext openContext) {
        FastCoders.enable();
        replies =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "replies", Types.INT, new AvroTypeInfo<>(CallReply.class)));
        deadline = getRuntimeContext().getState(new ValueStateDescriptor<>("deadline", Types.LONG));
        decided =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "decided", new AvroTypeInfo<>(ConsensusDecision.class)));
    }

    @Override
    public void processElement(CallReply reply, ReadOnlyContext ctx, Collector<TaskResult> out)
            throws Exception {
        for (Metric metric : reply.getCalls()) {
            ctx.output(Outputs.METRICS, metric);
        }
        AnalyzedTask task = reply.getRequest().getTask();
        int replicas = task.getAnalysis().getReplicas();
        if (TaskResults.decidesAlone(reply)) {
            TaskResult result = results.single(reply);
            example(task, result, ctx);
            out.collect(result);
            return;
        }
        ConsensusDecision decision = decided.value();
        if (decision != null) {
            late(reply, decision, ctx);
            return;
        }
        replies.put(reply.getRequest().getReplica(), reply);
        if (deadline.value() == null) {
            long due = clock.millis() + timeout.toMillis();
            ctx.timerService().registerProcessingTimeTimer(due);
            deadline.update(due);
        }
        List<CallReply> received = received();
        int pending = Math.max(0, replicas - received.size());
        Vote.Outcome outcome = vote(task, received, pending, ctx);
        if (outcome.decided() || pending == 0) {
            close(task, received, outcome, false, ctx, out);
        }
    }

    @Override
    public void processBroadcastElement(Metric metric, Context ctx, Collector<TaskResult> out)
            throws Exception {
        if (metric.getKind() != MetricKind.REPUTATION
                || metric.getAgentId() == null
                || metric.getReputation() == null) {
            return;
        }
        BroadcastState<String, AgentReputation> state = ctx.getBroadcastState(REPUTATIONS);
        AgentReputation known = state.get(metric.getAgentId());
        double before = known == null ? Reputation.PRIOR : known.getScore();
        state.put(
                metric.getAgentId(),
                AgentReputation.newBuilder()
                        .setAgentId(metric.getAgentId())
                        .setScore(Reputation.update(before, metric.getReputation().getAgreed()))
                        .setVotes(known == null ? 1 : known.getVotes() + 1)
                        .setUpdatedAt(metric.getTimestamp())
                        .build());
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<TaskResult> out)
            throws Exception {
        ConsensusDecision decision = decided.value();
        if (decision != null && decision.getCleanupAt() == timestamp) {
            if (timestamp >= decision.getExpiresAt()) {
                decided.clear();
                return;
            }
            // Only the winner goes: dropping the marker would let a replica that is still to
            // answer open a new window and give the task a second result.
            ctx.timerService().registerProcessingTimeTimer(decision.getExpiresAt());
            decided.update(
                    ConsensusDecision.newBuilder(decision)
                            .setWinner(null)
                            .setCleanupAt(decision.getExpiresAt())
                            .build());
            return;
        }
        Long due = deadline.value();
        if (due == null || due != timestamp) {
            return;
        }
        List<CallReply> received = received();
        if (received.isEmpty()) {
            deadline.clear();
            return;
        }
        AnalyzedTask task = received.get(0).getRequest().getTask();
        close(task, received, vote(task, received, 0, ctx), true, ctx, out);
    }

    private List<CallReply> received() throws Exception {
        List<CallReply> received = new ArrayList<>();
        for (Map.Entry<Integer, CallReply> entry : replies.entries()) {
            received.add(entry.getValue());
        }
        received.sort(Comparator.comparingInt(r -> r.getRequest().getReplica()));
        return received;
    }

    private static Votes.Kind kind(AnalyzedTask task) {
        try {
            return Votes.Kind.of(task.getTask().getMetadata());
        } catch (IllegalArgumentException e) {
            // The decode stage refuses such tasks; one that got here votes exactly.
            return Votes.Kind.EXACT;
        }
    }

    private Vote.Spec spec(
            AnalyzedTask task, List<CallReply> received, int pending, ReadOnlyContext ctx)
            throws Exception {
        Analysis analysis = task.getAnalysis();
        Map<String, String> metadata = task.getTask().getMetadata();
        Map<String, Double> weights = new HashMap<>();
        if (kind(task) == Votes.Kind.WEIGHTED) {
            ReadOnlyBroadcastState<String, AgentReputation> reputations =
                    ctx.getBroadcastState(REPUTATIONS);
            for (CallReply reply : received) {
                String agent = reply.getAnswer().getAgentId();
                AgentReputation reputation = reputations.get(agent);
                if (reputation != null) {
                    weights.put(agent, Reputation.weight(reputation.getScore()));
                }
            }
        }
        return new Vote.Spec(
                analysis.getReplicas(),
                analysis.getQuorum(),
                pending,
                Votes.threshold(metadata),
                Votes.tolerance(metadata),
                weights);
    }

    private Vote.Outcome vote(
            AnalyzedTask task, List<CallReply> received, int pending, ReadOnlyContext ctx)
            throws Exception {
        List<Vote.Ballot> ballots = new ArrayList<>(received.size());
        for (CallReply reply : received) {
            AgentAnswer answer = reply.getAnswer();
            ballots.add(
                    new Vote.Ballot(
                            reply.getRequest().getReplica(),
                            answer.getAgentId(),
                            answer.getError() == null ? answer.getOutput() : null,
                            answer.getError()));
        }
        return Votes.of(kind(task), embedder).decide(ballots, spec(task, received, pending, ctx));
    }

    /** Emits the task's result, removes the window, and remembers a decision made early. */
    private void close(
            AnalyzedTask task,
            List<CallReply> received,
            Vote.Outcome outcome,
            boolean deadlinePassed,
            ReadOnlyContext ctx,
            Collector<TaskResult> out)
            throws Exception {
        Analysis analysis = task.getAnalysis();
        List<AgentAnswer> answers = new ArrayList<>(received.size());
        for (int i = 0; i < received.size(); i++) {
            Vote.Verdict verdict = outcome.verdicts().get(i);
            answers.add(
                    AgentAnswer.newBuilder(received.get(i).getAnswer())
                            .setAgreed(verdict.agreed())
                            .setReason(verdict.reason())
                            .build());
        }
        double agreement = (double) outcome.support() / analysis.getReplicas();
        TaskResult result = results.base(task, answers);
        result.setAgreement(agreement);
        result.setVote(kind(task).key());
        if (outcome.decided()) {
            for (AgentAnswer answer : answers) {
                ctx.output(Outputs.METRICS, reputation(task.getTask(), answer, agreement));
            }
            result.setStatus(TaskStatus.COMPLETED);
            result.setOutput(outcome.winner());
            result.setAgents(outcome.agreeing());
            result.setAgentTier(tierOfFirstAgreeing(answers, outcome.agreeing()));
            example(task, result, ctx);
            out.collect(result);
        } else {
            String errors =
                    answers.stream()
                            .filter(a -> a.getError() != null)
                            .map(a -> a.getAgentId() + ": " + a.getError())
                            .collect(Collectors.joining("; "));
            String late =
                    deadlinePassed
                            ? received.size()
                                    + " of "
                                    + analysis.getReplicas()
                                    + " replicas answered before the deadline"
                            : null;
            TaskStatus stopped = stoppedAll(received, analysis.getReplicas());
            if (stopped != null && answers.stream().allMatch(a -> a.getError() != null)) {
                result.setStatus(stopped);
                result.setError(errors);
                out.collect(result);
            } else if (answers.stream().allMatch(a -> a.getError() != null)) {
                String why = "every replica failed: " + errors;
                result.setStatus(TaskStatus.FAILED);
                result.setError(late == null ? why : why + "; " + late);
                out.collect(result);
            } else {
                StringBuilder why = new StringBuilder(outcome.why());
                if (late != null) {
                    why.append("; ").append(late);
                }
                if (!errors.isEmpty()) {
                    why.append("; ").append(errors);
                }
                result.setStatus(TaskStatus.NO_CONSENSUS);
                result.setError(why.toString());
                out.collect(result);
            }
        }

        replies.clear();
        Long due = deadline.value();
        if (due != null) {
            ctx.timerService().deleteProcessingTimeTimer(due);
            deadline.clear();
        }
        if (received.size() < analysis.getReplicas()) {
            long cleanupAt = clock.millis() + retention.toMillis();
            long expiresAt =
                    clock.millis() + Math.max(retention.toMillis(), DECIDED_LIMIT.toMillis());
            ctx.timerService().registerProcessingTimeTimer(cleanupAt);
            decided.update(
                    ConsensusDecision.newBuilder()
                            .setWinner(outcome.winner())
                            .setAnswered(
                                    received.stream()
                                            .map(r -> r.getRequest().getReplica())
                                            .collect(Collectors.toList()))
                            .setAgreement(agreement)
                            .setCleanupAt(cleanupAt)
                            .setExpiresAt(expiresAt)
                            .build());
        }
    }

    /** Writes the labelled example {@code result} is evidence for, if any. */
    private void example(AnalyzedTask task, TaskResult result, ReadOnlyContext ctx) {
        results.example(task, result).ifPresent(example -> ctx.output(EXAMPLES, example));
    }

    /**
     * A reply after the decision: not voted again, but judged against the winner so that a slow
     * agent's reputation still follows what it answered.
     */
    private void late(CallReply reply, ConsensusDecision decision, ReadOnlyContext ctx)
            throws Exception {
        int replica = reply.getRequest().getReplica();
        if (decision.getAnswered().contains(replica)) {
            return;
        }
        AnalyzedTask task = reply.getRequest().getTask();
        List<Integer> answered = new ArrayList<>(decision.getAnswered());
        answered.add(replica);
        if (decision.getWinner() != null) {
            AgentAnswer answer = reply.getAnswer();
            boolean agrees =
                    answer.getError() == null
                            && Votes.of(kind(task), embedder)
                                    .agrees(
                                            decision.getWinner(),
                                            answer.getOutput(),
                                            spec(task, List.of(reply), 0, ctx));
            ctx.output(
                    Outputs.METRICS,
                    reputation(
                            task.getTask(),
                            AgentAnswer.newBuilder(answer).setAgreed(agrees).build(),
                            decision.getAgreement()));
        }
        if (answered.size() >= task.getAnalysis().getReplicas()) {
            decided.clear();
            ctx.timerService().deleteProcessingTimeTimer(decision.getCleanupAt());
        } else {
            decided.update(ConsensusDecision.newBuilder(decision).setAnswered(answered).build());
        }
    }

    /**
     * The status of a vote whose replicas stopped without answering: CANCELLED when its plan
     * cancelled any of them; TIMED_OUT, else REJECTED, when every replica arrived and every one
     * stopped before a call for its deadline or its budget; else null (the vote fails, or goes by
     * the answers).
     */
    static TaskStatus stoppedAll(List<CallReply> received, int replicas) {
        if (received.stream().anyMatch(r -> r.getRequest().getCancel() != null)) {
            return TaskStatus.CANCELLED;
        }
        if (received.size() < replicas || received.stream().anyMatch(r -> r.getRefused() == null)) {
            return null;
        }
        return received.stream().anyMatch(r -> r.getRefused() == TaskStatus.TIMED_OUT)
                ? TaskStatus.TIMED_OUT
                : TaskStatus.REJECTED;
    }

    /**
     * The tier of the first agreeing agent's answer (answers and the agreeing agents are both in
     * replica order): a result's {@code agentTier}.
     */
    private static Tier tierOfFirstAgreeing(List<AgentAnswer> answers, List<String> agreeing) {
        if (agreeing.isEmpty()) {
            return null;
        }
        for (AgentAnswer answer : answers) {
            if (Boolean.TRUE.equals(answer.getAgreed())
                    && answer.getAgentId().equals(agreeing.get(0))) {
                return answer.getTier();
            }
        }
        return null;
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
