package io.hivestream.connectors.agents.onnx;

import io.hivestream.operators.execute.AgentCall;
import io.hivestream.operators.execute.AgentCallException;
import io.hivestream.operators.execute.AgentCallException.Kind;
import io.hivestream.operators.execute.AgentReply;
import io.hivestream.operators.execute.AgentRuntime;
import io.hivestream.schemas.AgentEvent;
import io.hivestream.schemas.Task;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Agents that answer offline with the all-MiniLM-L6-v2 model ({@link MiniLmEmbedder}), doing one of
 * {@link TextSkills} chosen by the task's kind:
 *
 * <ul>
 *   <li>{@code classify}: the label, of task metadata {@code labels} (comma-separated), whose
 *       {@code name: description} is most similar to the input, the description coming from
 *       metadata {@code label.NAME}; confidence as {@link TextSkills#classify} says;
 *   <li>{@code summarize}: the input's {@code sentences} sentences nearest the centroid, in order;
 *   <li>{@code similarity}: the cosine similarity of the input and metadata {@code other}, with
 *       four decimals;
 *   <li>{@code dedupe}: the input's lines less those at least {@code threshold} similar to an
 *       earlier kept line.
 * </ul>
 *
 * Agent {@code params}: {@code sentences} (default 2), {@code threshold} in [0, 1] (default 0.9),
 * {@code intraOpThreads} (ONNX Runtime threads a call, default 1) and {@code inferenceThreads}
 * (calls run at once, default 1). The model is loaded on first use.
 *
 * <p>{@link #call} only checks the task and queues it: inference runs on a pool of {@code
 * inferenceThreads} daemon threads shared by every ONNX agent of the JVM with that setting, which
 * completes the future. At most {@value #QUEUE_CAPACITY} calls wait per pool; beyond that a call
 * fails as {@link Kind#UNAVAILABLE}. Tokens in are the tokenizer's count over every text embedded;
 * tokens out are 0, as an encoder generates none. Replies are not simulated. The runtime owns no
 * resources of its own beyond a cache of label embeddings: the model and the pools live as long as
 * the JVM.
 */
public final class OnnxAgentRuntime implements AgentRuntime {
    public static final String RUNTIME = "onnx";

    /** The task kinds these agents do. */
    public static final List<String> KINDS =
            List.of("classify", "summarize", "similarity", "dedupe");

    /** Calls that may wait for a pool's threads. */
    public static final int QUEUE_CAPACITY = 1024;

    public static final int DEFAULT_SENTENCES = 2;
    public static final double DEFAULT_THRESHOLD = 0.9;
    public static final int DEFAULT_INTRA_OP_THREADS = 1;
    public static final int DEFAULT_INFERENCE_THREADS = 1;

    private static final int MAX_THREADS = 64;
    private static final Map<Integer, Executor> POOLS = new ConcurrentHashMap<>();

    private final String agentId;
    private final int sentences;
    private final double threshold;
    private final int intraOpThreads;
    private final Executor executor;
    private volatile TextSkills skills;

    public OnnxAgentRuntime(AgentEvent agent) {
        this(agent, null);
    }

    /** A runtime whose inference runs on {@code executor}, or on the shared pool when null. */
    OnnxAgentRuntime(AgentEvent agent, Executor executor) {
        Map<String, String> params = agent.getParams();
        this.agentId = agent.getAgentId();
        if (agent.getModel() != null && !agent.getModel().equals(MiniLmEmbedder.MODEL)) {
            throw new IllegalArgumentException(
                    "agent "
                            + agentId
                            + ": model '"
                            + agent.getModel()
                            + "' is not available to the onnx runtime; it runs "
                            + MiniLmEmbedder.MODEL);
        }
        this.sentences = intParam(params, "sentences", DEFAULT_SENTENCES, 1, Integer.MAX_VALUE);
        this.threshold = shareParam(params, "threshold", DEFAULT_THRESHOLD);
        this.intraOpThreads =
                intParam(params, "intraOpThreads", DEFAULT_INTRA_OP_THREADS, 1, MAX_THREADS);
        int inferenceThreads =
                intParam(params, "inferenceThreads", DEFAULT_INFERENCE_THREADS, 1, MAX_THREADS);
        this.executor =
                executor != null
                        ? executor
                        : POOLS.computeIfAbsent(inferenceThreads, OnnxAgentRuntime::pool);
    }

    @Override
    public CompletableFuture<AgentReply> call(AgentCall call) {
        Function<TextSkills, TextSkills.Answer> skill;
        try {
            skill = skillFor(call.task());
        } catch (AgentCallException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<AgentReply> reply = new CompletableFuture<>();
        try {
            executor.execute(() -> answer(skill, reply));
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(
                    new AgentCallException(
                            Kind.UNAVAILABLE,
                            "onnx agent "
                                    + agentId
                                    + ": "
                                    + QUEUE_CAPACITY
                                    + " calls are already waiting for inference",
                            null,
                            e));
        }
        return reply;
    }

    private void answer(
            Function<TextSkills, TextSkills.Answer> skill, CompletableFuture<AgentReply> reply) {
        if (reply.isDone()) {
            return; // timed out while it waited: the answer would be thrown away
        }
        TextSkills skills = this.skills;
        try {
            if (skills == null) {
                skills = new TextSkills(MiniLmEmbedder.shared(intraOpThreads));
                this.skills = skills;
            }
        } catch (RuntimeException e) {
            reply.completeExceptionally(
                    new AgentCallException(
                            Kind.CONFIGURATION,
                            "onnx agent " + agentId + ": " + e.getMessage(),
                            null,
                            e));
            return;
        }
        try {
            TextSkills.Answer answer = skill.apply(skills);
            reply.complete(
                    new AgentReply(
                            answer.output(),
                            MiniLmEmbedder.MODEL,
                            answer.tokensIn(),
                            0,
                            answer.confidence(),
                            false));
        } catch (RuntimeException e) {
            reply.completeExceptionally(
                    new AgentCallException(
                            Kind.UNAVAILABLE,
                            "onnx agent " + agentId + ": " + e.getMessage(),
                            null,
                            e));
        }
    }

    /** The skill the task asks for, with its inputs checked here, on the caller's thread. */
    private Function<TextSkills, TextSkills.Answer> skillFor(Task task) {
        String input = task.getInput();
        Map<String, String> metadata = task.getMetadata();
        switch (task.getKind()) {
            case "classify" -> {
                List<TextSkills.Label> labels = labels(task);
                return skills -> skills.classify(input, labels);
            }
            case "summarize" -> {
                return skills -> skills.summarize(input, sentences);
            }
            case "similarity" -> {
                String other = metadata.get("other");
                if (other == null) {
                    throw badRequest(
                            "similarity task "
                                    + task.getTaskId()
                                    + " has no text to compare with: set metadata 'other'");
                }
                return skills -> skills.similarity(input, other);
            }
            case "dedupe" -> {
                return skills -> skills.dedupe(input, threshold);
            }
            default ->
                    throw badRequest(
                            "onnx agent "
                                    + agentId
                                    + " cannot do task kind '"
                                    + task.getKind()
                                    + "'; it does "
                                    + String.join(", ", KINDS));
        }
    }

    /** The task's labels in their order, each name once, with {@code label.NAME} descriptions. */
    private static List<TextSkills.Label> labels(Task task) {
        Map<String, String> metadata = task.getMetadata();
        String names = metadata.getOrDefault("labels", "");
        List<TextSkills.Label> labels =
                Arrays.stream(names.split(","))
                        .map(String::strip)
                        .filter(name -> !name.isEmpty())
                        .distinct()
                        .map(name -> new TextSkills.Label(name, metadata.get("label." + name)))
                        .toList();
        if (labels.isEmpty()) {
            throw badRequest(
                    "classify task "
                            + task.getTaskId()
                            + " has no labels: set metadata 'labels' to comma-separated names");
        }
        return labels;
    }

    private static AgentCallException badRequest(String message) {
        return new AgentCallException(Kind.BAD_REQUEST, message);
    }

    private static Executor pool(int threads) {
        AtomicInteger created = new AtomicInteger();
        ThreadPoolExecutor pool =
                new ThreadPoolExecutor(
                        threads,
                        threads,
                        60,
                        TimeUnit.SECONDS,
                        new ArrayBlockingQueue<>(QUEUE_CAPACITY),
                        r -> {
                            Thread thread =
                                    new Thread(
                                            r,
                                            "hivestream-onnx-"
                                                    + threads
                                                    + "-"
                                                    + created.incrementAndGet());
                            thread.setDaemon(true);
                            return thread;
                        });
        // Idle agents leave no threads behind.
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    private int intParam(Map<String, String> params, String name, int fallback, int min, int max) {
        String value = params.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value.strip());
            if (parsed < min || parsed > max) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "agent "
                            + agentId
                            + ": param "
                            + name
                            + " must be a whole number from "
                            + min
                            + (max == Integer.MAX_VALUE ? " up" : " to " + max)
                            + ", got '"
                            + value
                            + "'");
        }
    }

    private double shareParam(Map<String, String> params, String name, double fallback) {
        String value = params.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            double parsed = Double.parseDouble(value.strip());
            if (!(parsed >= 0 && parsed <= 1)) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "agent "
                            + agentId
                            + ": param "
                            + name
                            + " must be a number in [0, 1], got '"
                            + value
                            + "'");
        }
    }
}
