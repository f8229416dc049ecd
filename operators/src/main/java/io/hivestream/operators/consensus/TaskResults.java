package io.hivestream.operators.consensus;

import io.hivestream.operators.lineage.TaskHash;
import io.hivestream.operators.route.TurnOrder;
import io.hivestream.schemas.AgentAnswer;
import io.hivestream.schemas.RoutingExample;
import io.hivestream.schemas.Strategy;
import io.hivestream.schemas.Task;
import io.hivestream.schemas.TaskResult;
import io.hivestream.schemas.TaskStatus;
import io.hivestream.schemas.codec.RecordDefaults;
import io.hivestream.schemas.internal.Analysis;
import io.hivestream.schemas.internal.AnalyzedTask;
import io.hivestream.schemas.internal.CallReply;
import io.hivestream.schemas.internal.Cascade;
import java.io.Serializable;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a task's answers become its result: the fields every result takes from its task, its analysis
 * and its answers, and the whole result of a task with one replica, which needs no vote. The
 * consensus stage decides the tasks with several replicas; a task with one is decided by this class
 * alone, wherever its reply is (the execute stage decides it where its call ends, without a hop to
 * the consensus stage).
 *
 * <p>With {@link RoutingEvidence}, it also gives the labelled example a result is evidence for.
 */
public final class TaskResults implements Serializable {
    private static final RecordDefaults<TaskResult> RESULTS = RecordDefaults.of(TaskResult::new);

    private static final long serialVersionUID = 1L;

    /**
     * Result metadata of a cascaded task: {@value #ESCALATED} when the CLOUD answer stands, {@value
     * #CLOUD_FAILED} when every CLOUD agent failed and the EDGE answer stands.
     */
    public static final String CASCADE = "cascade";

    public static final String ESCALATED = "escalated";
    public static final String CLOUD_FAILED = "cloud-failed";

    /** Result metadata: the EDGE answer's confidence and the threshold it was under. */
    public static final String CASCADE_CONFIDENCE = "cascade.confidence";

    public static final String CASCADE_THRESHOLD = "cascade.threshold";

    private final Clock clock;
    private final RoutingEvidence evidence;

    /**
     * @param clock the time a result is decided at, which its latency ends at
     * @param evidence turns results into labelled examples; null: none
     */
    public TaskResults(Clock clock, RoutingEvidence evidence) {
        this.clock = clock;
        this.evidence = evidence;
    }

    /** Whether {@code reply}'s task has one replica: this reply alone decides it. */
    public static boolean decidesAlone(CallReply reply) {
        return reply.getRequest().getTask().getAnalysis().getReplicas() == 1;
    }

    /**
     * The result of a task with one replica ({@link #decidesAlone}): completed with the answer,
     * failed with the agents' reasons, the status of a replica that stopped before its call
     * (cancelled, timed out, rejected), or a cascade's result.
     */
    public TaskResult single(CallReply reply) {
        AnalyzedTask task = reply.getRequest().getTask();
        if (reply.getCascade() != null) {
            return cascaded(task, reply.getAnswer(), reply.getCascade());
        }
        AgentAnswer answer = reply.getAnswer();
        TaskResult result = base(task, List.of(answer));
        TaskStatus stopped = stopped(reply);
        if (stopped != null) {
            result.setStatus(stopped);
            result.setError(answer.getError());
        } else if (answer.getError() == null) {
            result.setStatus(TaskStatus.COMPLETED);
            result.setOutput(answer.getOutput());
            result.setAgents(List.of(answer.getAgentId()));
            result.setAgentTier(answer.getTier());
        } else {
            result.setStatus(TaskStatus.FAILED);
            result.setError(answer.getError());
        }
        return result;
    }

    /**
     * The status of a replica that stopped without an answer for a reason other than its agents'
     * failures: CANCELLED (its plan no longer needs it), TIMED_OUT (its deadline passed before a
     * call could start) or REJECTED (every call would have crossed its budget); else null.
     */
    static TaskStatus stopped(CallReply reply) {
        return reply.getRequest().getCancel() != null ? TaskStatus.CANCELLED : reply.getRefused();
    }

    /**
     * The result of a replica whose EDGE answer escalated: both answers, EDGE first; the answer
     * that stands is the CLOUD one, or the EDGE one when the CLOUD tier failed. Completed either
     * way, since the EDGE agent did answer.
     */
    private TaskResult cascaded(AnalyzedTask task, AgentAnswer answer, Cascade cascade) {
        boolean cloudAnswered = cascade.getCloud().getError() == null;
        Map<String, String> metadata = annotations(task);
        metadata.put(CASCADE, cloudAnswered ? ESCALATED : CLOUD_FAILED);
        metadata.put(CASCADE_CONFIDENCE, String.valueOf(cascade.getEdge().getConfidence()));
        metadata.put(CASCADE_THRESHOLD, String.valueOf(cascade.getThreshold()));
        TaskResult result = base(task, List.of(cascade.getEdge(), cascade.getCloud()));
        result.setStatus(TaskStatus.COMPLETED);
        result.setOutput(answer.getOutput());
        result.setAgents(List.of(answer.getAgentId()));
        result.setAgentTier(answer.getTier());
        result.setMetadata(metadata);
        return result;
    }

    /**
     * What the job says about a task in its result's metadata before any answer: the turns a
     * session's turn was answered without ({@link TurnOrder#GAP}).
     */
    private static Map<String, String> annotations(AnalyzedTask task) {
        Map<String, String> metadata = new HashMap<>();
        String gap = task.getTask().getMetadata().get(TurnOrder.GAP);
        if (gap != null) {
            metadata.put(TurnOrder.GAP, gap);
        }
        return metadata;
    }

    /**
     * A result's fields that come from its task, its analysis and its answers (tokens, cost and
     * whether any was simulated summed over them); its latency ends now. Status, output and agents
     * are the caller's; everything else has its schema's default.
     */
    public TaskResult base(AnalyzedTask analyzed, List<AgentAnswer> answers) {
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
        TaskResult result = RESULTS.make();
        result.setTaskId(task.getTaskId());
        result.setTenant(task.getTenant());
        result.setSessionId(task.getSessionId());
        result.setKind(task.getKind());
        result.setStrategy(analysis.getReplicas() > 1 ? Strategy.CONSENSUS : Strategy.DIRECT);
        result.setTier(analysis.getTier());
        result.setComplexity(analysis.getComplexity());
        result.setAnalyzerModel(analysis.getModel());
        result.setMetadata(annotations(analyzed));
        result.setAnswers(answers);
        result.setTokensIn(tokensIn);
        result.setTokensOut(tokensOut);
        result.setCostUsd(cost);
        result.setSimulated(simulated);
        result.setParentId(task.getParentId());
        result.setRootId(task.getRootId());
        result.setLineage(TaskHash.lineage(task));
        result.setLatencyMs(Math.max(0, clock.millis() - analyzed.getAdmittedAt()));
        return result;
    }

    /** The labelled example {@code result} is evidence for, if this has evidence and it is any. */
    public Optional<RoutingExample> example(AnalyzedTask task, TaskResult result) {
        if (evidence == null) {
            return Optional.empty();
        }
        Analysis analysis = task.getAnalysis();
        return evidence.of(
                task.getTask(),
                analysis.getTier(),
                analysis.getComplexity(),
                result,
                clock.millis());
    }
}
